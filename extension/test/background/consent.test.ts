import { describe, expect, it } from "vitest";
import { Agent } from "../../src/background/agent";
import { REQUEST_BADGE } from "../../src/background/backfill/consent";
import { handleExternal, type ExternalDeps } from "../../src/background/external";
import { handleUiRequest } from "../../src/background/ui-requests";
import { describeBackfill, sinceFromDateInput } from "../../src/ui/backfill-view";
import { FakeSocket } from "../helpers/fake-brain";
import { FakeClock } from "../helpers/fake-clock";
import { FakeInbox } from "../helpers/fake-inbox";
import { MemoryStorage } from "../helpers/memory-storage";

async function setup() {
  const clock = new FakeClock();
  const storage = new MemoryStorage({ creatorId: "300000", brainUrl: "", agentToken: "" });
  const badges: string[] = [];
  const inbox = FakeInbox.seed(new FakeInbox(() => clock.now(), { capture: () => undefined, result: () => undefined }), 2, 3);
  const agent = new Agent({
    storage,
    tabs: inbox.tabs,
    WebSocketCtor: FakeSocket as unknown as typeof WebSocket,
    log: () => undefined,
    clock,
    badge: (text) => void badges.push(text),
    timing: { stepTimeoutMs: 48 * 3600_000 },
  });
  inbox.deliver = { capture: (c) => agent.onCapture(c), result: (r) => agent.backfill.onResult(r) };
  clock.quiet = () => agent.backfill.waiting;
  await agent.start();
  const external = (message: unknown, origin = "http://127.0.0.1:8000") =>
    handleExternal(message, { origin }, {
      dashboardOrigins: () => [],
      brainUrl: () => "ws://127.0.0.1:8000",
      paused: () => false,
      creatorId: () => agent.captureCreator,
      chats: (id) => agent.allChats(id),
      messages: (id, chat) => agent.allMessages(id, chat),
      execute: (command) => agent.executeFromBridge(command),
      captureStatus: () => agent.captureStatus(),
      requestBackfill: (from, since) => agent.requestBackfill(from, since),
      readAccess: (from) => agent.readAccess(from),
    } satisfies ExternalDeps);
  return { clock, storage, badges, inbox, agent, external };
}

describe("the dashboard asks, the creator decides", () => {
  it("request_backfill is recorded with a badge and shown in the popup, but starts nothing", async () => {
    const { agent, badges, inbox, clock, external } = await setup();
    expect(await external({ type: "request_backfill", since: 1_704_067_200_000 })).toEqual({ ok: true, data: { requested: true } });
    expect(badges.at(-1)).toBe(REQUEST_BADGE);
    const status = await agent.status();
    expect(status.backfillRequest).toMatchObject({ origin: "http://127.0.0.1:8000", since: 1_704_067_200_000 });
    clock.advance(600_000);
    await clock.run(() => true);
    expect(agent.backfill.status().state).toBe("idle");
    expect(inbox.requests).toHaveLength(0);
    const capture = await external({ type: "get_capture_status" });
    expect(capture).toMatchObject({ ok: true, data: { backfill: { state: "idle" }, backfillRequest: { since: 1_704_067_200_000 } } });
  });

  it("Start in the popup gives consent: the request is cleared, the badge too, and the walk runs", async () => {
    const { agent, badges, inbox, clock, external } = await setup();
    await external({ type: "request_backfill" });
    expect(await handleUiRequest({ type: "backfill_start", since: null }, agent)).toMatchObject({ ok: true, status: { state: "running" } });
    expect(badges.at(-1)).toBe("");
    expect((await agent.status()).backfillRequest).toBeNull();
    await clock.run(() => agent.backfill.status().state === "done", "done");
    expect(inbox.requests.length).toBeGreaterThan(0);
    const capture = await external({ type: "get_capture_status" });
    expect(capture).toMatchObject({
      ok: true,
      data: { chatList: { complete: true, chatsKnown: 2 }, coverage: { chatsWalked: 2, chatsComplete: 2, messages: 6 }, backfill: { state: "done" } },
    });
  });

  it("Dismiss declines: cleared, nothing started", async () => {
    const { agent, badges, inbox, external } = await setup();
    await external({ type: "request_backfill" });
    expect(await handleUiRequest({ type: "backfill_dismiss" }, agent)).toEqual({ ok: true });
    expect(badges.at(-1)).toBe("");
    expect((await agent.status()).backfillRequest).toBeNull();
    expect(agent.backfill.status().state).toBe("idle");
    expect(inbox.requests).toHaveLength(0);
  });

  it("the badge comes back after a restart while a request waits", async () => {
    const { storage } = await setup();
    storage.items.backfillRequest = { at: 1, origin: "http://127.0.0.1:8000", since: null };
    const badges: string[] = [];
    const again = new Agent({ storage, tabs: { query: async () => [], sendMessage: async () => undefined }, WebSocketCtor: FakeSocket as unknown as typeof WebSocket, log: () => undefined, badge: (t) => void badges.push(t) });
    await again.start();
    await new Promise((r) => setTimeout(r, 10));
    expect(badges).toEqual([REQUEST_BADGE]);
  });

  it("the popup refuses a bad date and Start without an account", async () => {
    const { agent } = await setup();
    expect(await handleUiRequest({ type: "backfill_start", since: "tomorrow" }, agent)).toEqual({ ok: false, error: "invalid since" });
    const storage = new MemoryStorage({});
    const lonely = new Agent({ storage, tabs: { query: async () => [], sendMessage: async () => undefined }, WebSocketCtor: FakeSocket as unknown as typeof WebSocket, log: () => undefined });
    await lonely.start();
    expect(await handleUiRequest({ type: "backfill_start", since: null }, lonely)).toMatchObject({ ok: false, error: expect.stringContaining("no OnlyFans account") });
  });
});

describe("the popup's words for the backfill", () => {
  const base = {
    reason: null, phase: "chats" as const, listOffset: 30, chatsDone: 4, chatsTotal: 9, since: null,
    rateLimitedUntil: null, requests: 12, messages: 300, startedAt: 1, finishedAt: null,
  };
  it("say what it does", () => {
    expect(describeBackfill({ ...base, state: "idle" })).toBe("not started");
    expect(describeBackfill({ ...base, state: "running" })).toBe("running: 4 of 9 chats");
    expect(describeBackfill({ ...base, state: "running", phase: "list" })).toBe("running: reading the chat list (30 so far)");
    expect(describeBackfill({ ...base, state: "paused", reason: "the OnlyFans tab is hidden" })).toBe("paused (the OnlyFans tab is hidden)");
    expect(describeBackfill({ ...base, state: "rate_limited", rateLimitedUntil: 1_700_000_000_000, reason: "HTTP 429" })).toMatch(/^rate-limited until .+ \(HTTP 429\)$/);
    expect(describeBackfill({ ...base, state: "stopped" })).toBe("stopped at 4 of 9 chats");
    expect(describeBackfill({ ...base, state: "done", chatsDone: 9 })).toBe("done: 9 chats");
    expect(sinceFromDateInput("2024-01-31")).toBe(new Date(2024, 0, 31).getTime());
    expect(sinceFromDateInput("")).toBeNull();
  });
});
