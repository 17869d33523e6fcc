/**
 * Commands (`SendMessageCommand`), whichever path brings them (the Brain's
 * `command_to_execute`, the Bridge's `execute_agent_command`), run only when the Brain says
 * so, and at most once per `commandId`, ever:
 *
 * 1. A repeated id (already in `executed`) is never executed again; its stored result is
 *    reported again.
 * 2. The Brain is asked (`command_check`, `verdicts.ts`); a no (unknown id, expired, final,
 *    granted to another Agent, no answer) is answered `rejected` with the reason, nothing is
 *    stored or reported (the Brain keeps the command's lifecycle), nothing reaches the page.
 * 3. In one IndexedDB transaction: look the id up in `executed` again; if absent, record
 *    `{state:"executing"}` — before anything reaches the page. IndexedDB serializes readwrite
 *    transactions on a store, so two deliveries racing each other cannot both claim it.
 * 4. Pick an `https://onlyfans.com/*` tab and send `{type:"execute", command}` to its content
 *    script; the page hook drives the page's own composer and reports a `command_result`.
 * 5. Store the result and queue `command_result` in the outbox (it survives outages): the
 *    Brain records it in the command's audit log, whichever path executed it.
 *
 * A service worker that dies mid-command leaves `executing` behind: that command is never
 * retried, and a result the page reports later is still recorded.
 */
import { chatRoute } from "../shared/endpoints";
import type { CommandOutcome, SendMessageCommand } from "../shared/protocol";
import { normalizeId, type Databases, type ExecutedRecord } from "./db";
import { newRef, type Outbox } from "./outbox";
import type { Verdict, Via } from "./verdicts";

export interface TabInfo {
  id?: number;
  url?: string;
  active?: boolean;
  lastAccessed?: number;
}

export interface TabsApi {
  query(queryInfo: { url: string }): Promise<TabInfo[]>;
  sendMessage(tabId: number, message: unknown, options?: { frameId?: number }): Promise<unknown>;
}

export interface CommandDeps {
  dbs: Databases;
  outbox: Outbox;
  tabs: TabsApi;
  /** The account the OnlyFans tab is logged into (from `/users/me`), if seen. */
  accountInTab: () => string | null;
  /** Databases where a command's record may live when its owner is not remembered. */
  knownCreators: () => string[];
  /** The Brain's verdict on a command (`command_check`): executed only on yes. */
  verify: (command: SendMessageCommand, via: Via) => Promise<Verdict>;
  log: (event: string, fields?: Record<string, unknown>) => void;
  now: () => number;
  resultTimeoutMs: number;
}

export type RunResult =
  | { state: "done"; duplicate: boolean; outcome: CommandOutcome }
  | { state: "refused"; duplicate: false; outcome: CommandOutcome }
  | { state: "executing"; duplicate: true };

export const OF_TABS = "https://onlyfans.com/*";

function outcomeOf(record: ExecutedRecord): CommandOutcome {
  return { commandId: record.commandId, status: record.status ?? "failed", detail: record.detail ?? null };
}

export class CommandRunner {
  private readonly waiting = new Map<string, (outcome: CommandOutcome) => void>();
  private readonly owners = new Map<string, string>();

  constructor(private readonly deps: CommandDeps) {}

  async run(command: SendMessageCommand, via: Via): Promise<RunResult> {
    const userId = String(command.userId);
    const { commandId } = command;
    const known = await (await this.deps.dbs.get(userId)).get("executed", commandId);
    if (known) return this.repeated(userId, known, via);
    const verdict = await this.deps.verify(command, via);
    if (!verdict.executable) {
      this.deps.log("command_refused", { commandId, via, reason: verdict.reason });
      const outcome: CommandOutcome = { commandId, status: "rejected", detail: { reason: verdict.reason, refusedBy: "brain" } };
      return { state: "refused", duplicate: false, outcome };
    }
    const existing = await this.claim(userId, command, via);
    if (existing) return this.repeated(userId, existing, via);
    this.owners.set(commandId, userId);
    let outcome: CommandOutcome;
    try {
      outcome = await this.execute(command);
    } catch (error) {
      outcome = { commandId, status: "failed", detail: { reason: "agent error", error: String(error) } };
    }
    await this.finish(userId, outcome);
    return { state: "done", duplicate: false, outcome };
  }

  /** A command seen before: never executed again; its stored result is reported again. */
  private async repeated(userId: string, existing: ExecutedRecord, via: Via): Promise<RunResult> {
    this.deps.log("command_repeated", { commandId: existing.commandId, via, state: existing.state });
    if (existing.state !== "done") return { state: "executing", duplicate: true };
    const outcome = outcomeOf(existing);
    await this.report(userId, outcome);
    return { state: "done", duplicate: true, outcome };
  }

  /** A `command_result` the page posted. */
  async onPageResult(outcome: CommandOutcome): Promise<void> {
    const waiter = this.waiting.get(outcome.commandId);
    if (waiter) {
      waiter(outcome);
      return;
    }
    // Late (after a timeout or a service-worker restart): record it if still executing.
    const owner = this.owners.get(outcome.commandId);
    const candidates = owner ? [owner] : this.deps.knownCreators();
    for (const userId of candidates) {
      const db = await this.deps.dbs.get(userId);
      const record = await db.get("executed", outcome.commandId);
      if (record?.state === "executing") {
        await this.finish(userId, outcome);
        return;
      }
      if (record) {
        this.deps.log("command_late_result_ignored", { commandId: outcome.commandId, status: outcome.status });
        return;
      }
    }
  }

  /** Claim the id; returns the existing record when it was claimed before. */
  private async claim(
    userId: string,
    command: SendMessageCommand,
    via: string,
  ): Promise<ExecutedRecord | null> {
    const db = await this.deps.dbs.get(userId);
    const tx = db.transaction("executed", "readwrite");
    const existing = await tx.store.get(command.commandId);
    if (!existing) {
      await tx.store.add({
        commandId: command.commandId,
        userId,
        chatId: normalizeId(command.chatId) ?? String(command.chatId),
        state: "executing",
        via,
        at: this.deps.now(),
      });
    }
    await tx.done;
    return existing ?? null;
  }

  private async finish(userId: string, outcome: CommandOutcome): Promise<void> {
    const db = await this.deps.dbs.get(userId);
    const tx = db.transaction("executed", "readwrite");
    const record = await tx.store.get(outcome.commandId);
    if (record) {
      await tx.store.put({
        ...record,
        state: "done",
        status: outcome.status,
        detail: outcome.detail,
        finishedAt: this.deps.now(),
      });
    }
    await tx.done;
    this.owners.delete(outcome.commandId);
    this.deps.log("command_finished", { commandId: outcome.commandId, status: outcome.status });
    await this.report(userId, outcome);
  }

  private async report(userId: string, outcome: CommandOutcome): Promise<void> {
    const payload = { commandId: outcome.commandId, status: outcome.status, detail: outcome.detail };
    await this.deps.outbox.append(userId, { type: "command_result", ref: newRef("cr"), payload });
  }

  private async pickTabs(command: SendMessageCommand): Promise<number[]> {
    const tabs = (await this.deps.tabs.query({ url: OF_TABS })).filter(
      (tab): tab is TabInfo & { id: number } => typeof tab.id === "number",
    );
    const route = chatRoute(command.chatId);
    const score = (tab: TabInfo): number =>
      (tab.url && new URL(tab.url).pathname === route ? 4 : 0) + (tab.active ? 2 : 0);
    tabs.sort((a, b) => score(b) - score(a) || (b.lastAccessed ?? 0) - (a.lastAccessed ?? 0));
    return tabs.map((tab) => tab.id);
  }

  private async execute(command: SendMessageCommand): Promise<CommandOutcome> {
    const { commandId } = command;
    const rejected = (reason: string): CommandOutcome => ({ commandId, status: "rejected", detail: { reason } });
    const account = this.deps.accountInTab();
    if (account !== null && account !== String(command.userId)) {
      return rejected("the OnlyFans tab is logged into another account");
    }
    const tabIds = await this.pickTabs(command);
    if (tabIds.length === 0) return rejected("no OnlyFans tab is open");
    const result = new Promise<CommandOutcome>((resolve) => this.waiting.set(commandId, resolve));
    let delivered = false;
    for (const tabId of tabIds) {
      try {
        await this.deps.tabs.sendMessage(tabId, { type: "execute", command }, { frameId: 0 });
        delivered = true;
        break;
      } catch {
        // no content script in that tab (opened before the extension loaded): try the next
      }
    }
    if (!delivered) {
      this.waiting.delete(commandId);
      return rejected("no OnlyFans tab answered; reload the tab");
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<CommandOutcome>((resolve) => {
      timer = setTimeout(
        () =>
          resolve({
            commandId,
            status: "failed",
            detail: { reason: "no result from the page in time", unconfirmed: true },
          }),
        this.deps.resultTimeoutMs,
      );
    });
    try {
      return await Promise.race([result, timeout]);
    } finally {
      clearTimeout(timer);
      this.waiting.delete(commandId);
    }
  }
}
