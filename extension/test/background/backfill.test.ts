import { afterEach, describe, expect, it } from "vitest";
import { Agent } from "../../src/background/agent";
import { NO_TAB, TAB_HIDDEN } from "../../src/background/backfill/channel";
import { backoffMs, MAX_BACKOFF_MS, spacingMs } from "../../src/background/backfill/pace";
import { NO_STORE } from "../../src/background/backfill/runner";
import type { CaptureStatePayload } from "../../src/gen/wss-incoming";
import { FakeSocket } from "../helpers/fake-brain";
import { FakeClock } from "../helpers/fake-clock";
import { FakeInbox, stepKey, type Failure, type Request } from "../helpers/fake-inbox";
import { MemoryStorage } from "../helpers/memory-storage";

const CREATOR = "300000";
const agents: Agent[] = [];

afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.backfill.stop().catch(() => undefined);
});

interface Options {
  rate?: number;
  random?: () => number;
  chats?: number;
  perChat?: number;
}

function newAgent(clock: FakeClock, inbox: FakeInbox, storage: MemoryStorage, random: () => number): Agent {
  const agent = new Agent({
    storage,
    tabs: inbox.tabs,
    WebSocketCtor: FakeSocket as unknown as typeof WebSocket,
    log: () => undefined,
    clock,
    random,
    timing: { stepTimeoutMs: 48 * 3600_000 },
  });
  agents.push(agent);
  clock.quiet = () => agent.backfill.waiting; // the latest Agent (an earlier one may be dead)
  inbox.deliver = { capture: (c) => agent.onCapture(c), result: (r) => agent.backfill.onResult(r) };
  return agent;
}

async function setup(options: Options = {}) {
  const clock = new FakeClock();
  const storage = new MemoryStorage({ creatorId: CREATOR, backfillRatePerSecond: options.rate ?? 1 });
  const inbox = FakeInbox.seed(
    new FakeInbox(() => clock.now(), { capture: () => undefined, result: () => undefined }),
    options.chats ?? 25,
    options.perChat ?? 23,
  );
  const random = options.random ?? (() => 0.5);
  const agent = newAgent(clock, inbox, storage, random);
  await agent.start();
  const db = await agent.dbs.get(CREATOR);
  const state = () => agent.backfill.status().state;
  return { clock, storage, inbox, agent, db, state, random };
}

type Setup = Awaited<ReturnType<typeof setup>>;

async function runToEnd(s: Setup, since: number | null = null): Promise<void> {
  await s.agent.backfill.start(since);
  await s.clock.run(() => s.state() === "done", "done");
}

const gaps = (requests: Request[]) => requests.slice(1).map((r, i) => r.at - (requests[i] as Request).at);

async function reports(s: Setup): Promise<CaptureStatePayload[]> {
  return (await s.db.getAll("outbox"))
    .filter((e) => e.type === "capture_state")
    .map((e) => (JSON.parse(e.text) as { payload: CaptureStatePayload }).payload);
}

/** The reports once the one for `state` is queued: the reporter queues it just after the run
 * reached that state, in its own IndexedDB transaction. */
async function reportsUpTo(s: Setup, state: string): Promise<CaptureStatePayload[]> {
  for (let i = 0; ; i += 1) {
    const all = await reports(s);
    if (all.at(-1)?.backfill.state === state || i >= 400) return all;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("the history backfill", () => {
  it("walks the chat list, then every chat newest page first back to its first message, most recent chat first", async () => {
    const s = await setup();
    await runToEnd(s);
    const keys = s.inbox.keys();
    const order = s.inbox.order();
    // 25 chats: 3 list pages, each followed by one users request for its fans.
    expect(keys.slice(0, 6)).toEqual([
      "chats@0",
      `users:${order.slice(0, 10).join(",")}`,
      "chats@10",
      `users:${order.slice(10, 20).join(",")}`,
      "chats@20",
      `users:${order.slice(20).join(",")}`,
    ]);
    const chatOrder = [...new Set(s.inbox.requests.slice(6).map((r) => (r.step.action === "messages" ? r.step.chatId : null)))];
    expect(chatOrder).toEqual(order);
    // 23 messages a chat, 10 a page: newest page, then two more each from the oldest id so far.
    const first = order[0] as number;
    const all = [...(s.inbox.chats.get(first) ?? [])].reverse();
    expect(keys.filter((k) => k.startsWith(`messages:${first}@`))).toEqual([
      `messages:${first}@newest`,
      `messages:${first}@${all[9]?.id}`,
      `messages:${first}@${all[19]?.id}`,
    ]);
    expect(keys).toHaveLength(6 + 25 * 3);
    expect(new Set(keys).size).toBe(keys.length);
    expect(await s.db.count("messages")).toBe(25 * 23);
    expect(((await s.db.get("chats", first))?.withUser as { name?: string }).name).toBe(`Fan ${first}`);
    expect(await s.db.get("history", first)).toMatchObject({ complete: true, reachedStart: true, pages: 3, oldestId: all.at(-1)?.id, newestId: all[0]?.id });
    expect(s.agent.backfill.status()).toMatchObject({ state: "done", chatsDone: 25, chatsTotal: 25, requests: 81, messages: 25 * 23 });
  });

  it("never goes faster than the configured rate", async () => {
    const s = await setup({ rate: 2, chats: 5, perChat: 25 });
    await runToEnd(s);
    const between = gaps(s.inbox.requests);
    expect(Math.min(...between)).toBeGreaterThanOrEqual(500);
    expect(between.filter((g) => g === 500).length).toBeGreaterThan(between.length * 0.8);
    expect(spacingMs(1)).toBe(1000);
    expect(spacingMs(0)).toBe(1000);
    expect(spacingMs(100)).toBe(50);
  });

  it("honours Retry-After, backs off with jitter on 429 and 5xx, and retries the same step", async () => {
    const failures: Record<number, Failure> = {
      5: { status: 429, retryAfter: 30 },
      6: { status: 503 },
      7: { status: 429 },
    };
    const s = await setup({ chats: 3, perChat: 25, random: () => 0 });
    s.inbox.fail = (_request, index) => failures[index] ?? null;
    await s.agent.backfill.start(null);
    await s.clock.run(() => s.inbox.requests.length === 6, "the first 429");
    await s.clock.run(() => s.state() === "rate_limited", "rate limited");
    const t5 = s.inbox.requests[5]?.at as number;
    expect(s.agent.backfill.status()).toMatchObject({ state: "rate_limited", rateLimitedUntil: t5 + 30_000 });
    await s.clock.run(() => s.state() === "done", "done");
    const [r5, r6, r7, r8, r9] = s.inbox.requests.slice(5) as [Request, Request, Request, Request, Request];
    expect(new Set([r5, r6, r7, r8].map((r) => stepKey(r.step))).size).toBe(1);
    expect(r6.at - r5.at).toBe(30_000); // Retry-After beats 2 s × 0.5
    expect(r7.at - r6.at).toBe(2_000); // 2^2 s × 0.5
    expect(r8.at - r7.at).toBe(4_000); // 2^3 s × 0.5
    expect(r9.at - r8.at).toBe(1_000); // success: back to the normal spacing
    expect(await s.db.count("messages")).toBe(75);
  });

  it("backs off between half and the full delay, up to 300 s, never below Retry-After", () => {
    expect(backoffMs(1, null, () => 0)).toBe(1_000);
    expect(backoffMs(1, null, () => 1)).toBe(2_000);
    expect(backoffMs(4, null, () => 0.5)).toBe(12_000);
    expect(backoffMs(20, null, () => 1)).toBe(MAX_BACKOFF_MS);
    expect(backoffMs(20, null, () => 0)).toBe(MAX_BACKOFF_MS / 2);
    expect(backoffMs(1, 120, () => 1)).toBe(120_000);
    for (let i = 0; i < 50; i += 1) {
      const delay = backoffMs(3, null, Math.random);
      expect(delay).toBeGreaterThanOrEqual(4_000);
      expect(delay).toBeLessThanOrEqual(8_000);
    }
  });

  it("pauses while the OnlyFans tab is hidden or closed, and goes on by itself when one is visible", async () => {
    const s = await setup({ chats: 3, perChat: 5 });
    s.inbox.visible = false;
    await s.agent.backfill.start(null);
    await s.clock.run(() => s.state() === "paused", "paused");
    expect(s.agent.backfill.status().reason).toBe(TAB_HIDDEN);
    s.clock.advance(120_000);
    await s.clock.run(() => true);
    expect(s.inbox.requests).toHaveLength(0);

    s.inbox.visible = true;
    s.agent.backfill.onTabEvent(true);
    await s.clock.run(() => s.inbox.requests.length >= 3, "resumed");
    s.inbox.open = false;
    await s.clock.run(() => s.state() === "paused", "paused again");
    expect(s.agent.backfill.status().reason).toBe(NO_TAB);
    const made = s.inbox.requests.length;
    s.clock.advance(300_000);
    await s.clock.run(() => true);
    expect(s.inbox.requests).toHaveLength(made);
    s.inbox.open = true;
    s.agent.backfill.onTabEvent(true);
    await s.clock.run(() => s.state() === "done", "done");
    expect(await s.db.count("messages")).toBe(15);
  });

  it("a restarted Agent continues from the cursors: only the step in flight is fetched twice, and it waits out the spacing", async () => {
    const s = await setup({ chats: 4, perChat: 25 });
    s.inbox.answerUntil = 9; // the 10th request is the one in flight when the worker dies
    await s.agent.backfill.start(null);
    await s.clock.run(() => s.inbox.requests.length === 10, "ten requests");
    const before = s.inbox.keys();
    const diedAt = s.inbox.requests[9]?.at as number;

    s.inbox.answerUntil = Number.POSITIVE_INFINITY;
    const restarted = newAgent(s.clock, s.inbox, s.storage, s.random);
    await restarted.start();
    await s.clock.run(() => restarted.backfill.status().state === "done", "done after restart");
    const after = s.inbox.keys().slice(10);
    expect(after[0]).toBe(before[9]);
    expect(s.inbox.requests[10]?.at).toBeGreaterThanOrEqual(diedAt + 1_000);
    const all = [...before, ...after];
    expect(all.length - new Set(all).size).toBe(1);
    expect(await restarted.dbs.get(CREATOR).then((db) => db.count("messages"))).toBe(100);
  });

  it("run again after it finished, it reads the chat list and fetches only what is new", async () => {
    const s = await setup({ chats: 12, perChat: 12 });
    await runToEnd(s);
    const firstRun = s.inbox.requests.length;
    const fan = 400005;
    const fresh = [1, 2, 3].map((i) => s.inbox.write(fan, `new ${i}`));
    const busy = 400007;
    const many = Array.from({ length: 14 }, (_, i) => s.inbox.write(busy, `burst ${i}`));
    await runToEnd(s);
    const again = s.inbox.keys().slice(firstRun);
    const newestOfBusy = [...(s.inbox.chats.get(busy) ?? [])].reverse();
    expect(again).toEqual([
      "chats@0",
      "chats@10",
      `messages:${busy}@newest`,
      `messages:${busy}@${newestOfBusy[9]?.id}`,
      `messages:${fan}@newest`,
    ]);
    for (const message of [...fresh, ...many]) expect(await s.db.get("messages", message.id)).toMatchObject({ chatId: expect.any(Number) });
    expect((await s.db.get("history", busy))?.newestId).toBe(many.at(-1)?.id);
    // A third run finds nothing to fetch but the list.
    await runToEnd(s);
    expect(s.inbox.keys().slice(firstRun + again.length)).toEqual(["chats@0", "chats@10"]);
  });

  it("stops at the chosen date, and a later run without one goes on from there, never re-reading newer pages", async () => {
    const s = await setup({ chats: 2, perChat: 30 });
    const fan = 400000;
    const messages = s.inbox.chats.get(fan) ?? [];
    const since = Date.parse((messages[15] as { createdAt: string }).createdAt);
    await runToEnd(s, since);
    const history = await s.db.get("history", fan);
    expect(history).toMatchObject({ complete: true, reachedStart: false });
    expect(history?.oldestAt).toBeLessThanOrEqual(since);
    const firstRun = s.inbox.keys();
    expect(firstRun.filter((k) => k.startsWith(`messages:${fan}@`))).toHaveLength(2);
    const cursors = await Promise.all(s.inbox.order().map(async (chat) => [chat, (await s.db.get("history", chat))?.oldestId] as const));
    await runToEnd(s, null);
    const second = s.inbox.keys().slice(firstRun.length);
    expect(second).toEqual(["chats@0", ...cursors.map(([chat, oldest]) => `messages:${chat}@${oldest}`)]);
    expect(second.some((k) => k.endsWith("@newest"))).toBe(false);
    expect(await s.db.count("messages")).toBe(60);
    expect(await s.db.get("history", fan)).toMatchObject({ complete: true, reachedStart: true });
  });

  it("skips a chat the site refuses (4xx) and goes on", async () => {
    const s = await setup({ chats: 3, perChat: 5 });
    const refused = s.inbox.order()[1] as number;
    s.inbox.fail = (request) => (request.step.action === "messages" && request.step.chatId === refused ? { status: 404 } : null);
    await runToEnd(s);
    expect(s.inbox.keys().filter((k) => k.startsWith(`messages:${refused}@`))).toHaveLength(1);
    expect(await s.db.get("history", refused)).toMatchObject({ failed: 404, complete: false });
    expect(await s.db.count("messages")).toBe(1 + 10); // the refused chat's last message came with the list
  });

  it("never moves a cursor past data that was not stored: a lost capture repeats the step", async () => {
    const s = await setup({ chats: 2, perChat: 15 });
    s.inbox.fail = (_request, index) => (index === 4 ? "lose" : null);
    await runToEnd(s);
    const keys = s.inbox.keys();
    expect(keys[5]).toBe(keys[4]);
    expect(keys.length - new Set(keys).size).toBe(1);
    expect(await s.db.count("messages")).toBe(30);
  });

  it("reports that it cannot run on a page without the app's store, and tries again when a tab loads", async () => {
    const s = await setup({ chats: 2, perChat: 3 });
    s.inbox.hasStore = false;
    await s.agent.backfill.start(null);
    await s.clock.run(() => s.agent.backfill.status().reason === NO_STORE, "no store");
    expect(s.agent.backfill.status()).toMatchObject({ state: "paused", requests: 0 });
    s.clock.advance(600_000);
    await s.clock.run(() => true);
    expect(s.state()).toBe("paused");
    s.inbox.hasStore = true;
    s.agent.backfill.onTabEvent(true);
    await s.clock.run(() => s.state() === "done", "done");
  });

  it("Stop halts it; Start goes on from where it stopped", async () => {
    const s = await setup({ chats: 3, perChat: 25 });
    await s.agent.backfill.start(null);
    await s.clock.run(() => s.inbox.requests.length === 8, "eight requests");
    await s.agent.backfill.stop();
    await s.clock.run(() => true);
    const stoppedAt = s.inbox.requests.length;
    s.clock.advance(3600_000);
    await s.clock.run(() => true);
    expect(s.inbox.requests).toHaveLength(stoppedAt);
    expect(s.state()).toBe("stopped");
    await runToEnd(s);
    const keys = s.inbox.keys();
    expect(keys.length - new Set(keys).size).toBe(0);
    expect(await s.db.count("messages")).toBe(75);
  });

  it("queues capture_state reports: on every state change, at most every 2 s while running, each chat's coverage once it changed", async () => {
    const s = await setup({ chats: 12, perChat: 12 });
    await runToEnd(s);
    const all = await reportsUpTo(s, "done");
    const last = all.at(-1) as CaptureStatePayload;
    expect(last).toMatchObject({
      chatList: { complete: true, chatsKnown: 12 },
      backfill: { state: "done", chatsDone: 12, chatsTotal: 12, requests: 2 + 2 + 24, since: null, rateLimitedUntil: null },
    });
    expect(all[0]?.backfill.state).toBe("running");
    const reported = new Map(all.flatMap((r) => r.chats ?? []).map((c) => [c.chatId, c]));
    expect(reported.size).toBe(12);
    for (const chat of reported.values()) expect(chat).toMatchObject({ complete: true, messages: 12, oldestMessageId: expect.any(Number), oldestAt: expect.any(Number) });
    // 28 requests 1 s apart: while running, a report at most every 2 s (besides the first,
    // for the state change to running).
    const running = all.filter((r) => r.backfill.state === "running");
    const times = running.map((r) => r.at);
    expect(gapsOf(times.slice(1)).every((g) => g >= 2_000)).toBe(true);
    const span = (times.at(-1) as number) - (times[0] as number);
    expect(span).toBeLessThanOrEqual(29_000);
    expect(running.length).toBeLessThanOrEqual(span / 2_000 + 2);
    // A chat appears again only when its coverage changed.
    const mentions = all.flatMap((r) => (r.chats ?? []).map((c) => c.chatId));
    expect(mentions.length).toBeLessThanOrEqual(24);
  });
});

function gapsOf(times: number[]): number[] {
  return times.slice(1).map((t, i) => t - (times[i] as number));
}
