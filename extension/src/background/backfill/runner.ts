/**
 * The history backfill's driver. The background owns the walk and its state; the page hook
 * only executes one step at a time (`page-hook/backfill-step.ts`), in a visible OnlyFans tab.
 *
 * Each turn: stop if the run is not active; wait while the Agent is paused or another account
 * is in the tab (`paused`), or the page has no app store; wait out `nextAt` (spacing, backoff);
 * pick the next step (`walk.ts`); find a visible OnlyFans tab (else `paused` until one shows
 * up: the content scripts report `visibilitychange`); store `nextAt` and the request count;
 * send the step; wait for its result (the capture of its response arrives first); wait until
 * the intake has stored everything received; then move the cursors (`applyPage`) or back off.
 * A `capture_state` report is queued on every state change and at most every 2 s meanwhile.
 */
import type { BackfillResult } from "../../shared/backfill-protocol";
import type { TabsApi } from "../commands";
import type { AgentDb, Databases, RecordKey } from "../db";
import type { Outbox } from "../outbox";
import { StepChannel } from "./channel";
import type { Clock } from "./clock";
import { backfillReport, CoverageReporter } from "./coverage";
import { backoffMs, spacingMs, verdictOf } from "./pace";
import { ACTIVE, initialMeta, loadMeta, loadQueue, saveMeta, type BackfillMeta, type BackfillState } from "./state";
import { applyPage, applyRefused, nextStep, type StepSpec } from "./walk";

/** How often a paused backfill looks again without being woken. */
const RECHECK_MS = 30_000;

export const NO_STORE =
  "this OnlyFans page has no app store the Agent knows (#app.__vue__.$store): the backfill cannot run on it";

export interface BackfillDeps {
  dbs: Databases;
  outbox: Outbox;
  tabs: TabsApi;
  clock: Clock;
  random: () => number;
  log: (event: string, fields?: Record<string, unknown>) => void;
  /** The database the tab's captures go to (null: no account seen yet). */
  creator: () => string | null;
  /** Why the backfill may not run now (the Agent is paused, another account…), or null. */
  blocked: () => string | null;
  ratePerSecond: () => number;
  /** Resolves once every capture received so far is stored. */
  settled: () => Promise<void>;
  lastCaptureAt: () => number | null;
  stepTimeoutMs?: number;
}

export interface BackfillStatus {
  state: BackfillState;
  reason: string | null;
  phase: BackfillMeta["phase"];
  listOffset: number;
  chatsDone: number;
  chatsTotal: number;
  since: number | null;
  rateLimitedUntil: number | null;
  requests: number;
  messages: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export class Backfill {
  private creatorId: string | null = null;
  private meta: BackfillMeta = initialMeta();
  private queue: RecordKey[] | null = null;
  private loop: Promise<void> | null = null;
  private wakeup = new AbortController();
  private woken = false;
  private sleeping = false;
  private readonly channel: StepChannel;
  private readonly reporter: CoverageReporter;

  constructor(private readonly deps: BackfillDeps) {
    this.channel = new StepChannel(deps.tabs, deps.clock, deps.stepTimeoutMs);
    this.reporter = new CoverageReporter(deps);
  }

  /** Load the tab account's state and continue a run left unfinished (after a restart). */
  async resume(): Promise<void> {
    await this.load();
    if (ACTIVE.has(this.meta.state)) this.kick();
  }

  /** The creator asked to start (or restart): `since` (epoch ms) or null for everything. A
   * stopped run with the same `since` continues from its cursors; otherwise a new pass walks
   * the chat list again and fetches only what is missing. */
  async start(since: number | null): Promise<BackfillStatus> {
    const db = await this.load();
    if (!db) throw new Error("no OnlyFans account seen yet: open your OnlyFans chats first");
    const meta = this.meta;
    if (ACTIVE.has(meta.state) && meta.since === since) {
      this.wake();
      return this.status();
    }
    if (!(meta.state === "stopped" && meta.since === since)) {
      Object.assign(meta, {
        pass: meta.pass + 1,
        since,
        phase: "list",
        listOffset: 0,
        pendingUsers: [],
        queueIndex: 0,
        chatsTotal: 0,
        requests: 0,
        messages: 0,
        startedAt: this.deps.clock.now(),
        finishedAt: null,
        attempt: 0,
        rateLimitedUntil: null,
      } satisfies Partial<BackfillMeta>);
      this.queue = null;
      await db.delete("meta", "backfillQueue");
    }
    meta.waitTab = false;
    await this.enter("running", null, { force: true, byCreator: true });
    this.kick();
    return this.status();
  }

  async stop(): Promise<BackfillStatus> {
    await this.load();
    if (ACTIVE.has(this.meta.state)) await this.enter("stopped", null, { byCreator: true });
    this.wake();
    return this.status();
  }

  /** A `backfill_result` relayed from a tab. */
  onResult(result: BackfillResult): void {
    this.channel.onResult(result);
  }

  /** A tab became visible or hidden (or loaded): look again. */
  onTabEvent(visible: boolean): void {
    if (visible && this.meta.waitTab) this.meta.waitTab = false;
    this.wake();
  }

  wake(): void {
    this.woken = true;
    this.wakeup.abort();
    this.wakeup = new AbortController();
  }

  status(): BackfillStatus {
    const report = backfillReport(this.meta);
    return {
      state: this.meta.state,
      reason: this.meta.reason,
      phase: this.meta.phase,
      listOffset: this.meta.listOffset,
      chatsDone: report.chatsDone ?? 0,
      chatsTotal: report.chatsTotal ?? 0,
      since: this.meta.since,
      rateLimitedUntil: report.rateLimitedUntil ?? null,
      requests: this.meta.requests,
      messages: this.meta.messages,
      startedAt: this.meta.startedAt,
      finishedAt: this.meta.finishedAt,
    };
  }

  /** Whether the loop is waiting (spacing, backoff, a pause) or not running: nothing of the
   * backfill is under way. */
  get waiting(): boolean {
    return this.loop === null || this.sleeping;
  }

  private async load(): Promise<AgentDb | null> {
    const creator = this.deps.creator();
    if (!creator) return null;
    const db = await this.deps.dbs.get(creator);
    if (creator !== this.creatorId) {
      this.creatorId = creator;
      this.meta = await loadMeta(db);
      this.queue = await loadQueue(db);
    }
    return db;
  }

  private kick(): void {
    if (this.loop) {
      this.wake();
      return;
    }
    this.loop = this.run()
      .catch((error: unknown) => this.deps.log("backfill_failed", { error: String(error) }))
      .finally(() => {
        this.loop = null;
        if (ACTIVE.has(this.meta.state)) this.kick(); // started again while the loop was ending
      });
  }

  private idle(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    this.sleeping = true;
    return this.deps.clock.sleep(ms, this.wakeup.signal).then(() => {
      this.sleeping = false;
      this.woken = false;
    });
  }

  private async run(): Promise<void> {
    for (;;) {
      const db = await this.load();
      const meta = this.meta;
      if (!db || !ACTIVE.has(meta.state)) return;
      const blocked = this.deps.blocked() ?? (meta.waitTab ? NO_STORE : null);
      if (blocked) {
        await this.enter("paused", blocked);
        await this.idle(RECHECK_MS);
        continue;
      }
      const wait = meta.nextAt - this.deps.clock.now();
      if (wait > 0) {
        await this.idle(wait);
        continue;
      }
      const next = await nextStep(db, meta, this.queue);
      this.queue = next.queue;
      if (!next.spec) {
        meta.finishedAt = this.deps.clock.now();
        await this.enter("done", null, { force: true });
        return;
      }
      const tab = await this.channel.visibleTab();
      if (typeof tab === "string") {
        await this.enter("paused", tab);
        await this.idle(RECHECK_MS);
        continue;
      }
      if (!ACTIVE.has(meta.state)) return; // stopped while the step was being chosen
      // Stored before the request goes out: a restart waits out the spacing, never bursts. Once
      // stored, the spacing counts from the moment the step really leaves.
      const spacing = spacingMs(this.deps.ratePerSecond());
      meta.nextAt = this.deps.clock.now() + spacing;
      meta.requests += 1;
      if (meta.state === "running" && meta.reason === null) await saveMeta(db, meta);
      else await this.enter("running", null, { force: true });
      meta.nextAt = Math.max(meta.nextAt, this.deps.clock.now() + spacing);
      const ticket = `${this.creatorId}/${meta.pass}`;
      const result = await this.channel.send(tab, next.spec);
      await this.deps.settled();
      // A new pass (Start with another date) or another account meanwhile: the page's data is
      // stored, but its cursor belongs to a walk that no longer exists.
      if (ticket !== `${this.creatorId}/${this.meta.pass}`) continue;
      await this.settle(db, next.spec, result);
      const creator = this.creatorId;
      if (creator) this.reporter.soon(creator, () => this.meta);
    }
  }

  private async settle(db: AgentDb, spec: StepSpec, result: BackfillResult): Promise<void> {
    const meta = this.meta;
    const now = this.deps.clock.now();
    const verdict = verdictOf(result);
    if (verdict === "ok") {
      const attempt = meta.attempt;
      meta.attempt = 0;
      if (await applyPage(db, meta, spec, result, now)) return;
      meta.attempt = attempt;
      return this.backOff(db, result, false, "the page's data was not stored in time");
    }
    if (verdict === "no_store") {
      meta.requests -= 1; // nothing was requested
      meta.waitTab = true;
      this.deps.log("backfill_no_store");
      return this.enter("paused", NO_STORE, { force: true });
    }
    if (verdict === "refused" && spec.action !== "chats") {
      this.deps.log("backfill_refused", { action: spec.action, status: result.status });
      return applyRefused(db, meta, spec, result.status ?? 0, now);
    }
    const rateLimited = verdict !== "retry";
    const why = result.status !== null ? `HTTP ${result.status}` : (result.error ?? "no answer");
    return this.backOff(db, result, rateLimited, why);
  }

  private async backOff(db: AgentDb, result: BackfillResult, rateLimited: boolean, why: string): Promise<void> {
    const meta = this.meta;
    meta.attempt += 1;
    const delay = backoffMs(meta.attempt, result.retryAfter, this.deps.random);
    meta.nextAt = Math.max(meta.nextAt, this.deps.clock.now() + delay);
    this.deps.log("backfill_backoff", { why, attempt: meta.attempt, delayMs: Math.round(delay) });
    if (rateLimited) {
      meta.rateLimitedUntil = meta.nextAt;
      return this.enter("rate_limited", why, { force: true });
    }
    meta.reason = why;
    return saveMeta(db, meta);
  }

  /** Change the state (stored, and reported at once); nothing when it is the same unless
   * `force`. Only the creator (`byCreator`) moves a stopped or finished run: a step that was in
   * flight when they pressed Stop still stores its cursors, but never restarts the run. */
  private async enter(
    state: BackfillState,
    reason: string | null,
    { force = false, byCreator = false }: { force?: boolean; byCreator?: boolean } = {},
  ): Promise<void> {
    const meta = this.meta;
    if (!force && meta.state === state && meta.reason === reason) return;
    if (!byCreator && !ACTIVE.has(meta.state)) {
      if (this.creatorId) await saveMeta(await this.deps.dbs.get(this.creatorId), meta);
      return;
    }
    meta.state = state;
    meta.reason = reason;
    if (state !== "rate_limited") meta.rateLimitedUntil = null;
    if (!this.creatorId) return;
    await saveMeta(await this.deps.dbs.get(this.creatorId), meta);
    await this.reporter.now(this.creatorId, meta);
  }
}
