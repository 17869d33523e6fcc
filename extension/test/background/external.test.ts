import { describe, expect, it, vi } from "vitest";
import { brainOrigin, handleExternal, isCommandOrigin, isDashboardOrigin, type ExternalDeps } from "../../src/background/external";
import type { ReadDecision } from "../../src/background/read-consent";
import type { CaptureStatus } from "../../src/background/status";

const CAPTURE_STATUS: CaptureStatus = {
  creatorId: "300000",
  chatList: { complete: true, chatsKnown: 2 },
  backfill: {
    state: "running",
    reason: null,
    phase: "chats",
    listOffset: 2,
    chatsDone: 1,
    chatsTotal: 2,
    since: null,
    rateLimitedUntil: null,
    requests: 5,
    messages: 40,
    startedAt: 1_700_000_000_000,
    finishedAt: null,
  },
  coverage: { chatsWalked: 1, chatsComplete: 1, messages: 40 },
  backfillRequest: null,
  lastCaptureAt: 1_700_000_000_500,
};

function deps(overrides: Partial<ExternalDeps> = {}, answers: Record<string, ReadDecision> = {}): ExternalDeps {
  return {
    dashboardOrigins: () => ["https://dash.example.com"],
    brainUrl: () => "ws://127.0.0.1:8000",
    paused: () => false,
    creatorId: () => "300000",
    chats: async () => [{ withUser: { id: 400001 } }],
    messages: async (_creator, chatId) => [{ id: 1, chatId: chatId ?? 400001 }],
    execute: vi.fn(async (command) => ({
      state: "done" as const,
      duplicate: false,
      outcome: { commandId: command.commandId, status: "sent" as const, detail: { messageId: 9 } },
    })),
    captureStatus: vi.fn(async () => CAPTURE_STATUS),
    requestBackfill: vi.fn(async () => undefined),
    readAccess: vi.fn(async (origin: string) => answers[origin] ?? ("asked" as const)),
    ...overrides,
  };
}

const command = { commandId: "c1", userId: 300000, chatId: 400001, text: "hi", createdAt: "2024-05-01T00:00:00Z" };

describe("external messages (the Bridge dashboard)", () => {
  it("refuses every request from an origin that is not a dashboard", async () => {
    const d = deps();
    for (const origin of [
      "https://evil.example",
      "http://localhost.evil.com",
      "http://127.0.0.1.nip.io",
      "https://localhost:5173",
      "http://dash.example.com",
      "null",
      undefined,
    ]) {
      for (const message of [{ type: "get_all_chats_from_db" }, { type: "execute_agent_command", command }]) {
        expect(await handleExternal(message, { origin }, d)).toEqual({ ok: false, error: "origin not allowed" });
      }
    }
    expect(d.execute).not.toHaveBeenCalled();
  });

  it("serves the configured dashboards: brainUrl's origin and the listed ones", async () => {
    expect(isDashboardOrigin("http://127.0.0.1:8000", [])).toBe(true);
    expect(isDashboardOrigin("http://localhost:5173", [])).toBe(true);
    expect(isDashboardOrigin("https://dash.example.com", ["https://dash.example.com/"])).toBe(true);
    const d = deps({ dashboardOrigins: () => ["https://dash.example.com", "http://localhost:3000"] });
    expect(await handleExternal({ type: "get_all_chats_from_db" }, { origin: "http://127.0.0.1:8000" }, d)).toEqual({
      ok: true,
      data: { creatorId: "300000", chats: [{ withUser: { id: 400001 } }] },
    });
    expect(await handleExternal({ type: "get_all_messages_from_db", chatId: "400002" }, { url: "https://dash.example.com/app" }, d)).toEqual({
      ok: true,
      data: { creatorId: "300000", messages: [{ id: 1, chatId: 400002 }] },
    });
    expect(await handleExternal({ type: "get_all_messages_from_db", payload: { chatId: 7 } }, { origin: "http://localhost:3000" }, d)).toMatchObject({
      data: { messages: [{ chatId: 7 }] },
    });
    expect(d.readAccess).not.toHaveBeenCalled(); // configured: nobody is asked
  });

  it("lets another local page read only once the creator allowed its origin", async () => {
    const chats = vi.fn(async () => [{ withUser: { id: 400001 } }]);
    const asked = deps({ chats });
    for (const type of ["get_all_chats_from_db", "get_all_messages_from_db", "get_capture_status"]) {
      expect(await handleExternal({ type }, { origin: "http://localhost:3000" }, asked)).toEqual({
        ok: false,
        error: expect.stringContaining("has not allowed this origin"),
      });
    }
    expect(asked.readAccess).toHaveBeenCalledWith("http://localhost:3000");
    const denied = deps({ chats }, { "http://localhost:3000": "denied" });
    expect(await handleExternal({ type: "get_all_chats_from_db" }, { origin: "http://localhost:3000" }, denied)).toEqual({
      ok: false,
      error: "the creator denied this origin access to the chats",
    });
    expect(chats).not.toHaveBeenCalled();
    expect(asked.captureStatus).not.toHaveBeenCalled();
    const allowed = deps({ chats }, { "http://localhost:3000": "allowed" });
    expect(await handleExternal({ type: "get_all_chats_from_db" }, { origin: "http://localhost:3000" }, allowed)).toMatchObject({ ok: true });
    expect(await handleExternal({ type: "get_capture_status" }, { origin: "http://localhost:3000" }, allowed)).toMatchObject({ ok: true });
    // Reading is all an allowed origin gets: it still may not send.
    expect(await handleExternal({ type: "execute_agent_command", command }, { origin: "http://localhost:3000" }, allowed)).toMatchObject({
      ok: false,
      error: expect.stringContaining("only the Brain's dashboard may send"),
    });
  });

  it("executes a valid command and reports its outcome", async () => {
    const d = deps();
    expect(await handleExternal({ type: "execute_agent_command", command }, { origin: "http://127.0.0.1:8000" }, d)).toEqual({
      ok: true,
      data: { commandId: "c1", status: "sent", detail: { messageId: 9 }, duplicate: false },
    });
    expect(await handleExternal({ type: "execute_agent_command", payload: command }, { url: "https://dash.example.com/inbox" }, d)).toMatchObject({ ok: true });
    expect(d.execute).toHaveBeenCalledTimes(2);
  });

  it("lets only the Brain's dashboard and listed origins send", async () => {
    const d = deps();
    for (const origin of ["http://localhost:8000", "http://127.0.0.1:8001", "http://localhost:5173"]) {
      expect(await handleExternal({ type: "execute_agent_command", command }, { origin }, d)).toMatchObject({
        ok: false,
        error: expect.stringContaining("only the Brain's dashboard may send"),
      });
    }
    expect(d.execute).not.toHaveBeenCalled();
    expect(brainOrigin("wss://brain.example.com/")).toBe("https://brain.example.com");
    expect(brainOrigin("ws://127.0.0.1:8000")).toBe("http://127.0.0.1:8000");
    expect(brainOrigin("not a url")).toBeNull();
    expect(isCommandOrigin("https://brain.example.com", "wss://brain.example.com", [])).toBe(true);
    expect(isCommandOrigin("http://localhost:5173", "ws://127.0.0.1:8000", ["http://localhost:5173"])).toBe(true);
    expect(isCommandOrigin("null", "ws://127.0.0.1:8000", [])).toBe(false);
  });

  it("refuses malformed requests, unknown types and commands while paused", async () => {
    const origin = { origin: "http://127.0.0.1:8000" };
    const d = deps({ paused: () => true });
    expect(await handleExternal({ type: "execute_agent_command", command: { ...command, text: 1 } }, origin, d)).toEqual({ ok: false, error: "invalid command" });
    expect(await handleExternal({ type: "execute_agent_command", command }, origin, d)).toEqual({ ok: false, error: "the Agent is paused" });
    expect(await handleExternal({ type: "drop_tables" }, origin, d)).toMatchObject({ ok: false });
    expect(await handleExternal("get_all_chats_from_db", origin, d)).toMatchObject({ ok: false });
    expect(d.execute).not.toHaveBeenCalled();
  });

  it("answers the capture status to the configured dashboards", async () => {
    const d = deps({ dashboardOrigins: () => ["http://localhost:5173"] });
    for (const origin of ["http://localhost:5173", "http://127.0.0.1:8000"]) {
      expect(await handleExternal({ type: "get_capture_status" }, { origin }, d)).toEqual({ ok: true, data: CAPTURE_STATUS });
    }
    expect(await handleExternal({ type: "get_capture_status" }, { origin: "https://evil.example" }, d)).toEqual({ ok: false, error: "origin not allowed" });
  });

  it("records a backfill request only from the origins that may send, and never starts one", async () => {
    const d = deps();
    expect(await handleExternal({ type: "request_backfill", since: 1_600_000_000_000 }, { origin: "http://127.0.0.1:8000" }, d)).toEqual({
      ok: true,
      data: { requested: true },
    });
    expect(d.requestBackfill).toHaveBeenCalledWith("http://127.0.0.1:8000", 1_600_000_000_000);
    expect(await handleExternal({ type: "request_backfill" }, { url: "https://dash.example.com/x" }, d)).toMatchObject({ ok: true });
    expect(d.requestBackfill).toHaveBeenLastCalledWith("https://dash.example.com", null);
    expect(await handleExternal({ type: "request_backfill" }, { origin: "http://localhost:5173" }, d)).toMatchObject({
      ok: false,
      error: expect.stringContaining("only the Brain's dashboard"),
    });
    expect(await handleExternal({ type: "request_backfill", since: "yesterday" }, { origin: "http://127.0.0.1:8000" }, d)).toMatchObject({ ok: false });
    expect(d.requestBackfill).toHaveBeenCalledTimes(2);
  });
});
