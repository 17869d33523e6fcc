/**
 * The background's state machine: settings → Brain socket (reconnect with backoff + jitter),
 * captures → IndexedDB + outbox, commands → the page, the history backfill (with the creator's
 * consent), status for the popup and the dashboard.
 *
 * Which database:
 * - captures go to `ofca-<account>`: the account the OnlyFans tab is logged into, learned from
 *   the captured `/users/me` (until then: the token's creator, from `connection_ack.userIds`);
 * - the socket syncs `ofca-<token creator>` only, so nothing captured from another account is
 *   ever sent on this creator's socket (the popup shows the mismatch).
 */
import {
  isObject,
  isSendMessageCommand,
  type CaptureMessage,
  type JsonObject,
  type SendMessageCommand,
} from "../shared/protocol";
import { CONNECTION_KEYS, readSettings, SETTING_KEYS, type Settings, type StorageArea } from "../shared/settings";
import { realClock, type Clock } from "./backfill/clock";
import { BackfillRequests, REQUEST_BADGE } from "./backfill/consent";
import { Backfill } from "./backfill/runner";
import { CommandRunner, type RunResult, type TabsApi } from "./commands";
import { agentSocketUrl, BrainConnection, type ServerFrame } from "./connection";
import { Databases } from "./db";
import { CaptureIntake } from "./intake";
import { Outbox } from "./outbox";
import { readIdentity } from "./handshake";
import { ReadOrigins, type ReadDecision } from "./read-consent";
import { agentStatus, captureStatus, type AgentStatus, type CaptureStatus, type ConnectionState } from "./status";
import { defaultRetryDelay, Syncer } from "./sync";
import { askBrain, DEFAULT_VERDICT_TIMEOUT_MS } from "./verdicts";

export type { AgentStatus, CaptureStatus, ConnectionState };

export interface AgentTiming {
  ackTimeoutMs: number;
  openTimeoutMs: number;
  resultTimeoutMs: number;
  retryDelayMs: (attempt: number) => number;
  /** Override the reconnect backoff (tests); default: `reconnectDelay` with jitter. */
  reconnectDelayMs?: (attempt: number) => number;
  keepaliveMs?: number;
  /** How long to wait for the Brain's `sync_state` (default 10 s). */
  helloTimeoutMs?: number;
  /** How long a backfill step may take in the page (default 90 s). */
  stepTimeoutMs?: number;
  /** How long to wait for the Brain's `command_verdict` (default 15 s); then: not executed. */
  verdictTimeoutMs?: number;
}

export const DEFAULT_AGENT_TIMING: AgentTiming = {
  ackTimeoutMs: 30_000,
  openTimeoutMs: 15_000,
  resultTimeoutMs: 60_000,
  retryDelayMs: defaultRetryDelay,
};

export interface AgentDeps {
  storage: StorageArea;
  tabs: TabsApi;
  WebSocketCtor: typeof WebSocket;
  log?: (event: string, fields?: Record<string, unknown>) => void;
  now?: () => number;
  random?: () => number;
  timing?: Partial<AgentTiming>;
  /** The backfill's time (spacing, backoff); tests pass a fake one. */
  clock?: Clock;
  /** The action icon's badge text (`chrome.action.setBadgeText`). */
  badge?: (text: string) => void;
}

const MAX_EXTERNAL_MESSAGES = 100_000;

/** Exponential backoff from 0.5 s to a 30 s cap, with jitter (half to full delay). */
export function reconnectDelay(attempt: number, random: () => number): number {
  const base = Math.min(30_000, 500 * 2 ** Math.max(0, attempt - 1));
  return base * (0.5 + 0.5 * random());
}

export class Agent {
  readonly dbs = new Databases();
  readonly outbox = new Outbox(this.dbs);
  readonly syncer: Syncer;
  readonly commands: CommandRunner;
  readonly intake: CaptureIntake;
  readonly backfill: Backfill;
  readonly backfillRequests: BackfillRequests;
  /** Which other pages the creator let read the chats (`read-consent.ts`). */
  readonly readOrigins: ReadOrigins;

  settings: Settings = readSettings({});
  tokenUserId: string | null = null;
  state: ConnectionState = "unconfigured";
  lastError: string | null = null;

  private readonly log: (event: string, fields?: Record<string, unknown>) => void;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly timing: AgentTiming;
  private started: Promise<void> | null = null;
  private generation = 0;
  private conn: BrainConnection | null = null;
  private wake: (() => void) | null = null;
  /** What the action icon's `?` badge stands for: a backfill request, origins asking to read. */
  private readonly asking = { backfill: false, reads: false };

  constructor(private readonly deps: AgentDeps) {
    this.log = deps.log ?? ((event, fields) => console.info("[ofca]", event, fields ?? {}));
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.timing = { ...DEFAULT_AGENT_TIMING, ...deps.timing };
    this.syncer = new Syncer({
      dbs: this.dbs,
      outbox: this.outbox,
      log: this.log,
      retryDelayMs: this.timing.retryDelayMs,
      now: this.now,
      helloTimeoutMs: this.timing.helloTimeoutMs,
    });
    this.intake = new CaptureIntake({
      dbs: this.dbs,
      outbox: this.outbox,
      storage: deps.storage,
      log: this.log,
      now: this.now,
      paused: () => this.settings.paused,
      tokenUser: () => this.tokenUserId,
    });
    this.commands = new CommandRunner({
      dbs: this.dbs,
      outbox: this.outbox,
      tabs: deps.tabs,
      accountInTab: () => this.creatorId,
      knownCreators: () => [this.creatorId, this.tokenUserId].filter((id): id is string => id !== null),
      verify: (command, via) =>
        askBrain(command, via, {
          connection: () => this.conn,
          socketCreator: () => this.socketCreator,
          installId: async (creatorId) => (await readIdentity(await this.dbs.get(creatorId))).installId,
          timeoutMs: this.timing.verdictTimeoutMs ?? DEFAULT_VERDICT_TIMEOUT_MS,
        }),
      log: this.log,
      now: this.now,
      resultTimeoutMs: this.timing.resultTimeoutMs,
    });
    this.backfill = new Backfill({
      dbs: this.dbs,
      outbox: this.outbox,
      tabs: deps.tabs,
      clock: deps.clock ?? realClock,
      random: this.random,
      log: this.log,
      creator: () => this.captureCreator,
      blocked: () => this.backfillBlocked(),
      ratePerSecond: () => this.settings.backfillRatePerSecond,
      settled: () => this.intake.settled(),
      lastCaptureAt: () => this.intake.lastCaptureAt,
      stepTimeoutMs: this.timing.stepTimeoutMs,
    });
    this.backfillRequests = new BackfillRequests(deps.storage, (text) => this.setBadge("backfill", text !== ""));
    const readsChanged = (): void => void this.readOrigins.hasPending().then((on) => this.setBadge("reads", on));
    this.readOrigins = new ReadOrigins(deps.storage, readsChanged, this.now);
  }

  private setBadge(part: keyof Agent["asking"], on: boolean): void {
    this.asking[part] = on;
    this.deps.badge?.(this.asking.backfill || this.asking.reads ? REQUEST_BADGE : "");
  }

  /** Load settings and connect; safe to call again (it runs once). */
  start(): Promise<void> {
    this.started ??= (async () => {
      const raw = await this.deps.storage.get([...SETTING_KEYS, "creatorId", "tokenUserId"]);
      this.settings = readSettings(raw);
      this.intake.account = typeof raw.creatorId === "string" ? raw.creatorId : null;
      this.tokenUserId = typeof raw.tokenUserId === "string" ? raw.tokenUserId : null;
      this.restart();
      void this.backfillRequests.restoreBadge();
      void this.readOrigins.hasPending().then((on) => on && this.setBadge("reads", true));
      // A run the worker's end interrupted goes on (a failure here must not stop the Agent).
      await this.backfill.resume().catch((error: unknown) => this.log("backfill_resume_failed", { error: String(error) }));
    })();
    return this.started;
  }

  /** `chrome.storage.onChanged` (area "local"). */
  async onSettingsChanged(changed: readonly string[]): Promise<void> {
    await this.start();
    const raw = await this.deps.storage.get([...SETTING_KEYS]);
    this.settings = readSettings(raw);
    if (changed.some((key) => CONNECTION_KEYS.has(key))) this.restart();
    this.backfill.wake();
  }

  /** Drop the current socket and connect again now (or stay down when paused/unconfigured). */
  restart(): void {
    this.generation += 1;
    this.conn?.close();
    this.conn = null;
    this.wake?.();
    void this.connectLoop(this.generation);
  }

  /** The database the socket syncs. */
  get socketCreator(): string | null {
    return this.tokenUserId;
  }

  /** The account the OnlyFans tab is logged into, if seen. */
  get creatorId(): string | null {
    return this.intake.account;
  }

  /** The database captures go to. */
  get captureCreator(): string | null {
    return this.intake.target;
  }

  /** Why the backfill may not run now, or null. */
  private backfillBlocked(): string | null {
    if (this.settings.paused) return "the Agent is paused";
    if (this.creatorId !== null && this.tokenUserId !== null && this.creatorId !== this.tokenUserId) {
      return "the OnlyFans tab is logged into another account than the Agent token's";
    }
    return null;
  }

  private async connectLoop(generation: number): Promise<void> {
    let attempt = 0;
    while (generation === this.generation) {
      const { brainUrl, agentToken, paused } = this.settings;
      if (paused) {
        this.state = "paused";
        return;
      }
      if (!brainUrl || !agentToken) {
        this.state = "unconfigured";
        return;
      }
      this.state = "connecting";
      const conn = new BrainConnection(agentSocketUrl(brainUrl, agentToken), {
        WebSocketCtor: this.deps.WebSocketCtor,
        ackTimeoutMs: this.timing.ackTimeoutMs,
        keepaliveMs: this.timing.keepaliveMs,
        log: this.log,
      });
      this.conn = conn;
      conn.onFrame = (frame) => this.onServerFrame(conn, frame);
      const info = await conn.open(this.timing.openTimeoutMs);
      if (info && generation === this.generation) {
        attempt = 0;
        this.state = "open";
        this.lastError = null;
        await this.setTokenUser(String(info.userIds[0] ?? ""));
        this.log("brain_connected", { connectionId: info.connectionId, maxFrameBytes: info.maxFrameBytes });
        try {
          if (this.tokenUserId) await this.syncer.run(conn, this.tokenUserId);
          await conn.closed;
        } catch (error) {
          this.lastError = String(error);
          this.log("sync_failed", { error: String(error) });
        }
      } else if (!info && generation === this.generation) {
        this.lastError = "could not connect (check the Brain URL and the token)";
      }
      conn.close();
      if (generation !== this.generation) return;
      this.state = "waiting";
      attempt += 1;
      const delay = this.timing.reconnectDelayMs?.(attempt) ?? reconnectDelay(attempt, this.random);
      this.log("brain_reconnect_scheduled", { attempt, delayMs: Math.round(delay) });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  private async setTokenUser(userId: string): Promise<void> {
    if (!userId || userId === this.tokenUserId) return;
    this.tokenUserId = userId;
    await this.deps.storage.set({ tokenUserId: userId });
    this.intake.flushBuffered();
  }

  private onServerFrame(conn: BrainConnection, frame: ServerFrame): void {
    const payload: unknown = (frame as { payload?: unknown }).payload;
    switch (frame.type) {
      case "command_to_execute":
        if (!isSendMessageCommand(payload)) {
          this.log("command_invalid");
          return;
        }
        void this.commands.run(payload, "socket").catch((error: unknown) => {
          this.log("command_failed", { error: String(error) });
        });
        return;
      case "clear_local_data": {
        const userId = isObject(payload) && typeof payload.userId === "string" ? payload.userId : this.tokenUserId;
        if (!userId || userId !== this.tokenUserId) return;
        this.log("clear_local_data", { reason: isObject(payload) ? payload.reason : undefined });
        void this.dbs.delete(userId).then(
          () => {
            if (conn === this.conn) conn.close(4001); // reconnect on a fresh database
          },
          (error: unknown) => this.log("clear_local_data_failed", { error: String(error) }),
        );
        return;
      }
      case "sync_request":
        // The Brain wants everything again (e.g. it replayed): one full snapshot, now.
        this.log("sync_request", { reason: isObject(payload) ? payload.reason : undefined });
        if (conn === this.conn && this.tokenUserId) this.syncer.requestSnapshot(this.tokenUserId);
        return;
      case "sync_state":
        // Not the hello's answer (the handshake takes that one): unprompted, or late.
        if (conn === this.conn && this.tokenUserId && isObject(payload)) {
          this.syncer.onSyncState(this.tokenUserId, payload.mode, payload.reason);
        }
        return;
      case "system_error":
        this.log("brain_error", { code: isObject(payload) ? payload.code : undefined });
        return;
      default:
        return;
    }
  }

  /** A capture relayed by a content script. Processed strictly in arrival order. */
  onCapture(capture: CaptureMessage): void {
    this.intake.push(capture);
  }

  /** Wait until every capture received so far is stored (tests, status). */
  settled(): Promise<void> {
    return this.intake.settled();
  }

  executeFromBridge(command: SendMessageCommand): Promise<RunResult> {
    return this.commands.run(command, "bridge");
  }

  async allChats(creatorId: string): Promise<JsonObject[]> {
    const db = await this.dbs.get(creatorId);
    return db.getAll("chats");
  }

  async allMessages(creatorId: string, chatId: number | string | null): Promise<JsonObject[]> {
    const db = await this.dbs.get(creatorId);
    if (chatId !== null) return db.getAllFromIndex("messages", "byChat", chatId);
    return db.getAll("messages", null, MAX_EXTERNAL_MESSAGES);
  }

  /** The creator pressed Start (popup, options): consent given, a dashboard request is done. */
  async startBackfill(since: number | null): Promise<void> {
    await this.backfill.start(since);
    await this.backfillRequests.clear();
  }

  /** The dashboard asks (`request_backfill`): recorded for the creator, never started here. */
  async requestBackfill(origin: string, since: number | null): Promise<void> {
    await this.backfillRequests.record({ at: this.now(), origin, since });
  }

  /** A page that is not a configured dashboard wants to read: the creator's answer, if any. */
  readAccess(origin: string): Promise<ReadDecision | "asked"> {
    return this.readOrigins.check(origin);
  }

  status(): Promise<AgentStatus> {
    return agentStatus(this);
  }

  /** The dashboard's `get_capture_status`. */
  captureStatus(): Promise<CaptureStatus> {
    return captureStatus(this);
  }
}
