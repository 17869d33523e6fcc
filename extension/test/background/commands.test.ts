import { describe, expect, it } from "vitest";
import { CommandRunner, type TabInfo, type TabsApi } from "../../src/background/commands";
import { Databases } from "../../src/background/db";
import { Outbox } from "../../src/background/outbox";
import type { Verdict, Via } from "../../src/background/verdicts";
import type { CommandOutcome, SendMessageCommand } from "../../src/shared/protocol";

const CREATOR = "300000";

function command(overrides: Partial<SendMessageCommand> = {}): SendMessageCommand {
  return {
    commandId: "cmd-1",
    userId: 300000,
    chatId: 400001,
    text: "hi",
    price: null,
    mediaIds: [],
    origin: "analyst",
    createdAt: "2024-05-01T18:00:00Z",
    ...overrides,
  };
}

interface Harness {
  runner: CommandRunner;
  dbs: Databases;
  outbox: Outbox;
  deliveries: { tabId: number; message: unknown; stateAtDelivery: string | undefined }[];
  /** Every `command_check` the runner made: the commandId and the path. */
  checks: [string, Via][];
}

function harness(
  options: {
    dbs?: Databases;
    tabs?: TabInfo[];
    account?: string | null;
    failingTabs?: number[];
    pageAnswers?: boolean;
    resultTimeoutMs?: number;
    verdict?: (command: SendMessageCommand) => Verdict;
  } = {},
): Harness {
  const dbs = options.dbs ?? new Databases();
  const outbox = new Outbox(dbs);
  const deliveries: Harness["deliveries"] = [];
  const checks: Harness["checks"] = [];
  let runner: CommandRunner;
  const tabs: TabsApi = {
    query: async () => options.tabs ?? [{ id: 7, url: "https://onlyfans.com/my/chats/", active: true }],
    sendMessage: async (tabId, message) => {
      if (options.failingTabs?.includes(tabId)) throw new Error("Could not establish connection. Receiving end does not exist.");
      const { command: cmd } = message as { command: SendMessageCommand };
      const record = await (await dbs.get(String(cmd.userId))).get("executed", cmd.commandId);
      deliveries.push({ tabId, message, stateAtDelivery: record?.state });
      if (options.pageAnswers !== false) {
        // The page reports later, through the content script.
        setTimeout(() => {
          void runner.onPageResult({ commandId: cmd.commandId, status: "sent", detail: { messageId: 5100000000777 } });
        }, 5);
      }
      return { ok: true };
    },
  };
  runner = new CommandRunner({
    dbs,
    outbox,
    tabs,
    accountInTab: () => (options.account === undefined ? CREATOR : options.account),
    knownCreators: () => [CREATOR],
    verify: async (cmd, via) => {
      checks.push([cmd.commandId, via]);
      return options.verdict?.(cmd) ?? { executable: true };
    },
    log: () => undefined,
    now: Date.now,
    resultTimeoutMs: options.resultTimeoutMs ?? 2_000,
  });
  return { runner, dbs, outbox, deliveries, checks };
}

async function results(outbox: Outbox): Promise<CommandOutcome[]> {
  return (await outbox.all(CREATOR)).map((e) => (JSON.parse(e.text) as { payload: CommandOutcome }).payload);
}

describe("commands run at most once per commandId", () => {
  it("records `executing` before the page gets the command, then the result, and reports it", async () => {
    const { runner, deliveries, outbox, dbs } = harness();
    const result = await runner.run(command(), "socket");
    expect(result).toEqual({
      state: "done",
      duplicate: false,
      outcome: { commandId: "cmd-1", status: "sent", detail: { messageId: 5100000000777 } },
    });
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]?.stateAtDelivery).toBe("executing");
    expect(deliveries[0]?.message).toEqual({ type: "execute", command: command() });
    expect(await (await dbs.get(CREATOR)).get("executed", "cmd-1")).toMatchObject({ state: "done", status: "sent" });
    const entries = await outbox.all(CREATOR);
    expect(entries.map((e) => e.type)).toEqual(["command_result"]);
    expect(JSON.parse(entries[0]?.text ?? "{}")).toMatchObject({
      type: "command_result",
      payload: { commandId: "cmd-1", status: "sent", detail: { messageId: 5100000000777 } },
    });
  });

  it("executes once when the same command arrives repeatedly and concurrently, by both paths", async () => {
    const { runner, deliveries, outbox } = harness();
    const all = await Promise.all([
      runner.run(command(), "socket"),
      runner.run(command(), "socket"),
      runner.run(command(), "bridge"),
      runner.run(command({ text: "a different text, same id" }), "bridge"),
    ]);
    expect(deliveries).toHaveLength(1);
    expect(all.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(all.filter((r) => r.duplicate).every((r) => r.state === "executing")).toBe(true);

    // Later deliveries re-report the stored result and still do not execute.
    const again = await runner.run(command(), "socket");
    expect(again).toMatchObject({ state: "done", duplicate: true, outcome: { status: "sent" } });
    expect(deliveries).toHaveLength(1);
    expect((await results(outbox)).map((r) => r.status)).toEqual(["sent", "sent"]);
  });

  it("remembers across a service-worker restart (a new runner on the same database)", async () => {
    const first = harness();
    await first.runner.run(command(), "socket");
    const second = harness({ dbs: first.dbs });
    const result = await second.runner.run(command(), "bridge");
    expect(result).toMatchObject({ duplicate: true, outcome: { status: "sent" } });
    expect(second.deliveries).toHaveLength(0);
  });

  it("never retries a command whose execution was interrupted", async () => {
    const first = harness({ pageAnswers: false, resultTimeoutMs: 50 });
    const timedOut = await first.runner.run(command(), "socket");
    expect(timedOut).toMatchObject({ outcome: { status: "failed", detail: { unconfirmed: true } } });
    const again = await first.runner.run(command(), "socket");
    expect(again.duplicate).toBe(true);
    expect(first.deliveries).toHaveLength(1);
  });

  it("records a result the page reports after the worker lost its waiter", async () => {
    const dbs = new Databases();
    const db = await dbs.get(CREATOR);
    await db.put("executed", { commandId: "cmd-9", userId: CREATOR, chatId: 400001, state: "executing", via: "socket", at: 1 });
    const { runner, outbox } = harness({ dbs });
    await runner.onPageResult({ commandId: "cmd-9", status: "sent", detail: { messageId: 1 } });
    expect(await db.get("executed", "cmd-9")).toMatchObject({ state: "done", status: "sent" });
    expect(await results(outbox)).toEqual([{ commandId: "cmd-9", status: "sent", detail: { messageId: 1 } }]);
  });

  it("rejects when no OnlyFans tab is open or the tab is another account; never twice", async () => {
    const none = harness({ tabs: [] });
    expect((await none.runner.run(command(), "socket")).state === "done" && (await results(none.outbox))[0]?.status).toBe("rejected");
    expect((await none.runner.run(command(), "socket")).duplicate).toBe(true);

    const other = harness({ account: "999" });
    const result = await other.runner.run(command({ commandId: "cmd-2" }), "bridge");
    expect(result).toMatchObject({ outcome: { status: "rejected", detail: { reason: "the OnlyFans tab is logged into another account" } } });
    expect(other.deliveries).toHaveLength(0);
  });

  it("tries the next tab when a tab has no content script, preferring the chat's tab", async () => {
    const tabs = [
      { id: 1, url: "https://onlyfans.com/my/notifications", active: true },
      { id: 2, url: "https://onlyfans.com/my/chats/chat/400001/", active: false },
      { id: 3, url: "https://onlyfans.com/", active: false },
    ];
    const { runner, deliveries } = harness({ tabs, failingTabs: [2] });
    await runner.run(command(), "socket");
    expect(deliveries.map((d) => d.tabId)).toEqual([1]);
    const preferred = harness({ tabs });
    await preferred.runner.run(command({ commandId: "cmd-2" }), "socket");
    expect(preferred.deliveries.map((d) => d.tabId)).toEqual([2]);
  });
});

describe("commands run only when the Brain confirms them", () => {
  const unknown = (): Verdict => ({ executable: false, reason: "unknown command: the Brain never issued it for this creator" });

  it("asks the Brain before executing, by either path, and executes nothing it refuses", async () => {
    const { runner, deliveries, outbox, dbs, checks } = harness({ verdict: unknown });
    const refused = await runner.run(command(), "bridge");
    expect(refused).toEqual({
      state: "refused",
      duplicate: false,
      outcome: {
        commandId: "cmd-1",
        status: "rejected",
        detail: { reason: "unknown command: the Brain never issued it for this creator", refusedBy: "brain" },
      },
    });
    expect((await runner.run(command({ commandId: "cmd-2" }), "socket")).state).toBe("refused");
    expect(checks).toEqual([
      ["cmd-1", "bridge"],
      ["cmd-2", "socket"],
    ]);
    expect(deliveries).toHaveLength(0);
    expect(await (await dbs.get(CREATOR)).getAll("executed")).toEqual([]);
    expect(await outbox.all(CREATOR)).toEqual([]);
  });

  it("does not let a refusal block the command once the Brain issues it", async () => {
    let issued = false;
    const { runner, deliveries, checks } = harness({ verdict: () => (issued ? { executable: true } : unknown()) });
    expect((await runner.run(command(), "bridge")).state).toBe("refused"); // asked before the Brain decided
    issued = true;
    expect(await runner.run(command(), "socket")).toMatchObject({ state: "done", duplicate: false, outcome: { status: "sent" } });
    expect(deliveries).toHaveLength(1);
    expect(await runner.run(command(), "bridge")).toMatchObject({ state: "done", duplicate: true });
    expect(checks).toHaveLength(2); // a repeated id is answered from the local record
  });
});
