import { afterEach, describe, expect, it, vi } from "vitest";
import {
  type ChromeRuntimeLike,
  ExtensionService,
  NOT_INSTALLED_MESSAGE,
  pageRuntime,
  readCaptureStatus,
} from "./ExtensionService";

type Reply = (callback: (response: unknown) => void, runtime: FakeRuntime) => void;

/** A fake `chrome.runtime` whose `sendMessage` answers as `reply` says. */
class FakeRuntime implements ChromeRuntimeLike {
  lastError: { message?: string } | undefined;
  calls: { id: string; message: unknown }[] = [];
  constructor(private readonly reply: Reply) {}
  sendMessage(id: string, message: unknown, callback: (response: unknown) => void): void {
    this.calls.push({ id, message });
    this.reply(callback, this);
  }
}

function service(runtime: ChromeRuntimeLike | undefined, id = "abcdefghijklmnopabcdefghijklmnop") {
  return new ExtensionService(
    () => id,
    () => runtime,
    200,
  );
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("ExtensionService", () => {
  it("resolves with the Agent's answer", async () => {
    const runtime = new FakeRuntime((cb) => cb({ ok: true, data: { creatorId: "1", chats: [] } }));
    const result = await service(runtime).getAllChatsFromDb();
    expect(result).toEqual({ ok: true, response: { creatorId: "1", chats: [] } });
    expect(runtime.calls[0]).toEqual({
      id: "abcdefghijklmnopabcdefghijklmnop",
      message: { type: "get_all_chats_from_db", payload: null },
    });
  });

  it("sends the chat id and the command as the contract says", async () => {
    const runtime = new FakeRuntime((cb) => cb({ ok: true }));
    const s = service(runtime);
    await s.getAllMessagesFromDb("42");
    const command = {
      commandId: "c1",
      userId: "1",
      chatId: 42,
      text: "hi",
      createdAt: "2026-11-01T10:00:00Z",
    };
    await s.executeAgentCommand(command);
    expect(runtime.calls.map((c) => c.message)).toEqual([
      { type: "get_all_messages_from_db", payload: { chatId: "42" } },
      { type: "execute_agent_command", payload: command },
    ]);
  });

  it("reports chrome.runtime.lastError read inside the callback", async () => {
    const runtime = new FakeRuntime((cb, rt) => {
      rt.lastError = { message: "The message port closed before a response was received." };
      cb(undefined);
      rt.lastError = undefined; // Chrome clears it once the callback returns
    });
    const result = await service(runtime).getAllChatsFromDb();
    expect(result).toMatchObject({ ok: false, error: "runtime_error" });
    expect(result.ok === false && result.message).toContain("message port closed");
  });

  it("says 'not installed' when nothing answers at the id", async () => {
    const runtime = new FakeRuntime((cb, rt) => {
      rt.lastError = { message: "Could not establish connection. Receiving end does not exist." };
      cb(undefined);
    });
    expect(await service(runtime).getAllChatsFromDb()).toMatchObject({
      ok: false,
      error: "not_installed",
    });
  });

  it("says 'not installed' when the page has no chrome.runtime", async () => {
    vi.stubGlobal("chrome", undefined);
    expect(pageRuntime()).toBeUndefined();
    expect(await service(undefined).getAllChatsFromDb()).toMatchObject({
      ok: false,
      error: "not_installed",
    });
  });

  it("finds chrome.runtime on the global object", () => {
    const runtime = new FakeRuntime((cb) => cb(null));
    vi.stubGlobal("chrome", { runtime });
    expect(pageRuntime()).toBe(runtime);
  });

  it("says 'not configured' without an extension id, and never calls Chrome", async () => {
    const runtime = new FakeRuntime((cb) => cb({}));
    expect(await service(runtime, "  ").getAllChatsFromDb()).toMatchObject({
      ok: false,
      error: "not_configured",
    });
    expect(runtime.calls).toHaveLength(0);
  });

  it("times out when the extension never answers, and ignores a late answer", async () => {
    vi.useFakeTimers();
    let late: ((response: unknown) => void) | undefined;
    const runtime = new FakeRuntime((cb) => {
      late = cb;
    });
    const pending = service(runtime).getAllChatsFromDb();
    await vi.advanceTimersByTimeAsync(250);
    expect(await pending).toMatchObject({ ok: false, error: "timeout" });
    expect(() => late?.({ ok: true })).not.toThrow();
  });

  it("turns a synchronous throw into a result", async () => {
    const runtime = new FakeRuntime(() => {
      throw new Error("Invalid extension id: 'x'");
    });
    expect(await service(runtime, "x").getAllChatsFromDb()).toMatchObject({
      ok: false,
      error: "not_installed",
    });
  });

  it("reports an Agent that refuses", async () => {
    const runtime = new FakeRuntime((cb) => cb({ ok: false, error: "unknown commandId" }));
    expect(await service(runtime).getAllChatsFromDb()).toEqual({
      ok: false,
      error: "rejected",
      message: "unknown commandId",
    });
  });

  it("reads the extension's capture status", async () => {
    const data = {
      state: "rate_limited",
      chatsDone: 120,
      chatsTotal: 2000,
      requests: 340,
      rateLimitedUntil: 1_793_714_700_000,
      since: null,
    };
    const runtime = new FakeRuntime((cb) => cb({ ok: true, data }));
    const result = await service(runtime).getCaptureStatus();
    expect(runtime.calls[0]?.message).toEqual({ type: "get_capture_status" });
    expect(result).toEqual({
      ok: true,
      response: {
        state: "rate_limited",
        chatsDone: 120,
        chatsTotal: 2000,
        requests: 340,
        rateLimitedUntil: 1_793_714_700_000,
        requestPending: false,
      },
    });
  });

  it("reads the backfill nested in the extension's status, and a request waiting", async () => {
    const data = {
      creatorId: "1",
      chatList: { complete: true, chatsKnown: 2000 },
      backfill: { state: "running", chatsDone: 7, chatsTotal: 2000, requests: 9 },
      backfillRequest: { at: 1, origin: "http://127.0.0.1:8000", since: null },
    };
    const runtime = new FakeRuntime((cb) => cb({ ok: true, data }));
    expect(await service(runtime).getCaptureStatus()).toEqual({
      ok: true,
      response: {
        state: "running",
        chatsDone: 7,
        chatsTotal: 2000,
        requests: 9,
        rateLimitedUntil: null,
        requestPending: true,
      },
    });
  });

  it("refuses a capture status it cannot read", async () => {
    const runtime = new FakeRuntime((cb) => cb({ ok: true, data: { chatsDone: "lots" } }));
    expect(await service(runtime).getCaptureStatus()).toMatchObject({
      ok: false,
      error: "bad_response",
    });
  });

  it("passes the capture status call's failures through", async () => {
    const runtime = new FakeRuntime((cb, rt) => {
      rt.lastError = { message: "Could not establish connection. Receiving end does not exist." };
      cb(undefined);
    });
    expect(await service(runtime).getCaptureStatus()).toMatchObject({
      ok: false,
      error: "not_installed",
    });
    vi.stubGlobal("chrome", undefined);
    expect(await service(undefined).getCaptureStatus()).toEqual({
      ok: false,
      error: "not_installed",
      message: NOT_INSTALLED_MESSAGE,
    });
  });

  it("requests a backfill, with since when given", async () => {
    const runtime = new FakeRuntime((cb) => cb({ ok: true }));
    const s = service(runtime);
    expect(await s.requestBackfill()).toEqual({ ok: true, response: { ok: true } });
    await s.requestBackfill(1_780_000_000_000.7);
    await s.requestBackfill(Number.NaN);
    expect(runtime.calls.map((c) => c.message)).toEqual([
      { type: "request_backfill" },
      { type: "request_backfill", since: 1_780_000_000_000 },
      { type: "request_backfill" },
    ]);
  });

  it("reports a backfill request the extension refuses or does not know", async () => {
    const runtime = new FakeRuntime((cb) =>
      cb({ ok: false, error: "unknown message type request_backfill" }),
    );
    expect(await service(runtime).requestBackfill()).toEqual({
      ok: false,
      error: "rejected",
      message: "unknown message type request_backfill",
    });
  });

  it("reports lastError and timeouts for a backfill request", async () => {
    const broken = new FakeRuntime((cb, rt) => {
      rt.lastError = { message: "The message port closed before a response was received." };
      cb(undefined);
    });
    expect(await service(broken).requestBackfill()).toMatchObject({
      ok: false,
      error: "runtime_error",
    });
    vi.useFakeTimers();
    const silent = new FakeRuntime(() => undefined);
    const pending = service(silent).requestBackfill();
    await vi.advanceTimersByTimeAsync(250);
    expect(await pending).toMatchObject({ ok: false, error: "timeout" });
  });
});

describe("readCaptureStatus", () => {
  it("accepts an ISO time and drops what is not a count", () => {
    expect(
      readCaptureStatus({
        state: "running",
        chatsDone: -3,
        chatsTotal: 12.9,
        rateLimitedUntil: "2026-11-20T14:05:00Z",
      }),
    ).toEqual({
      state: "running",
      chatsDone: 0,
      chatsTotal: 12,
      requests: 0,
      rateLimitedUntil: Date.parse("2026-11-20T14:05:00Z"),
      requestPending: false,
    });
    expect(readCaptureStatus(null)).toBeNull();
    expect(readCaptureStatus({ state: "" })).toBeNull();
  });
});
