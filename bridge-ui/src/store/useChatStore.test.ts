import { describe, expect, it } from "vitest";
import { sortConversations } from "./conversations";
import { draft, fullSync, node, status, USER } from "./test-fixtures";
import type { CommandView } from "./state";
import { createChatStore } from "./useChatStore";

function store() {
  return createChatStore(USER);
}

function pending(commandId: string): CommandView {
  return {
    commandId,
    chatId: "7",
    draftId: "d-7",
    text: "hey",
    origin: "analyst",
    state: "submitting",
    detail: "",
    at: "2026-11-01T10:02:00Z",
    via: "socket",
  };
}

describe("full_sync_response", () => {
  it("replaces the conversations, totals and analytics", () => {
    const s = store();
    s.getState().applyFrame(fullSync([node("1"), node("2")]));
    s.getState().applyFrame(fullSync([node("3")], 5));
    const state = s.getState();
    expect([...state.conversations.keys()]).toEqual(["3"]);
    expect(state.totalConversations).toBe(5);
    expect(state.syncGeneration).toBe(2);
    expect(state.loading).toEqual({ loaded: 1, total: 5, done: false, error: null });
    expect(state.analytics?.topics?.[0]?.topic).toBe("greeting");
  });

  it("is ignored when it is another creator's", () => {
    const s = store();
    const frame = fullSync([node("1")]);
    if (frame.type !== "full_sync_response") throw new Error("fixture");
    s.getState().applyFrame({ ...frame, payload: { ...frame.payload, userId: "999" } });
    expect(s.getState().conversations.size).toBe(0);
    expect(s.getState().syncGeneration).toBe(0);
  });
});

describe("append_message", () => {
  it("inserts a new conversation and counts it", () => {
    const s = store();
    s.getState().applyFrame(fullSync([node("1")]));
    s.getState().applyFrame({ type: "append_message", payload: node("2", { unread: 3 }) });
    expect(s.getState().conversations.get("2")?.unread).toBe(3);
    expect(s.getState().totalConversations).toBe(2);
  });

  it("updates a known conversation in place", () => {
    const s = store();
    s.getState().applyFrame(fullSync([node("1"), node("2")]));
    const before = s.getState().conversations;
    s.getState().applyFrame({ type: "append_message", payload: node("1", { unread: 9 }) });
    const after = s.getState().conversations;
    expect(after.get("1")?.unread).toBe(9);
    expect(after.size).toBe(2);
    expect(s.getState().totalConversations).toBe(2);
    expect(before.get("1")?.unread).toBe(1); // the old map was not mutated
  });

  it("drops the chat's draft when the creator answered", () => {
    const s = store();
    s.getState().applyFrame({ type: "reply_suggestion", payload: draft("1") });
    const out = node("1", {
      lastMessage: { at: "2026-11-01T11:00:00Z", direction: "out", text: "x" },
    });
    s.getState().applyFrame({ type: "append_message", payload: out });
    expect(s.getState().drafts.has("1")).toBe(false);
  });
});

describe("analytics_update", () => {
  it("merges present sections over the held analytics", () => {
    const s = store();
    s.getState().applyFrame(fullSync([node("1")]));
    s.getState().applyFrame({
      type: "analytics_update",
      payload: {
        userId: USER,
        at: "2026-11-01T10:06:00Z",
        analytics: {
          responses: { waitingCount: 4, frtBuckets: [], waiting: [] },
          topics: null,
        },
      },
    });
    const analytics = s.getState().analytics;
    expect(analytics?.responses?.waitingCount).toBe(4);
    expect(analytics?.money?.revenueTotal).toBe(10); // kept
    expect(analytics?.topics?.[0]?.topic).toBe("greeting"); // null does not erase
    expect(s.getState().analyticsAt).toBe("2026-11-01T10:06:00Z");
  });
});

describe("system_status and connection_ack", () => {
  it("tracks the Brain's state and the Agent's presence separately", () => {
    const s = store();
    s.getState().applyFrame({
      type: "system_status",
      payload: { userId: USER, at: "2026-11-01T10:00:00Z", state: "PROCESSING_SNAPSHOT" },
    });
    s.getState().applyFrame({
      type: "system_status",
      payload: { userId: USER, at: "2026-11-01T10:00:01Z", agentOnline: true },
    });
    expect(s.getState().brain.state).toBe("PROCESSING_SNAPSHOT");
    expect(s.getState().brain.agentOnline).toBe(true);
  });

  it("ignores another creator's status (a socket closing after a creator switch)", () => {
    const s = store();
    s.getState().applyFrame({
      type: "system_status",
      payload: { userId: "999", at: "2026-11-01T10:00:00Z", agentOnline: true },
    });
    expect(s.getState().brain.agentOnline).toBeNull();
  });

  it("keeps the connection info", () => {
    const s = store();
    s.getState().applyFrame({
      type: "connection_ack",
      payload: {
        connectionId: "c1",
        role: "analyst",
        userIds: [USER],
        serverTime: "2026-11-01T10:00:00Z",
        maxFrameBytes: 1024,
        version: "0.1.0",
      },
    });
    expect(s.getState().connection?.connectionId).toBe("c1");
    expect(s.getState().lastFrameAt).not.toBeNull();
  });
});

describe("system_error", () => {
  it("keeps the newest errors first and marks the command it refers to refused", () => {
    const s = store();
    s.getState().trackCommand(pending("c-1"));
    s.getState().applyFrame({
      type: "system_error",
      payload: { code: "invalid_payload", message: "text too long", ref: "c-1" },
    });
    s.getState().applyFrame({
      type: "system_error",
      payload: { code: "internal", message: "later" },
    });
    expect(s.getState().errors.map((e) => e.message)).toEqual(["later", "text too long"]);
    expect(s.getState().commands.get("c-1")).toMatchObject({
      state: "refused",
      detail: "text too long",
    });
  });

  it("is bounded", () => {
    const s = store();
    for (let i = 0; i < 30; i++) {
      s.getState().applyFrame({
        type: "system_error",
        payload: { code: "internal", message: `${i}` },
      });
    }
    expect(s.getState().errors).toHaveLength(20);
  });
});

describe("reply_suggestion", () => {
  it("keeps the newest draft of each chat", () => {
    const s = store();
    s.getState().applyFrame({ type: "reply_suggestion", payload: draft("1", { text: "new" }) });
    s.getState().applyFrame({
      type: "reply_suggestion",
      payload: draft("1", { text: "old", createdAt: "2026-11-01T09:00:00Z" }),
    });
    s.getState().applyFrame({ type: "reply_suggestion", payload: draft("2") });
    expect(s.getState().drafts.get("1")?.text).toBe("new");
    expect(s.getState().drafts.size).toBe(2);
  });
});

describe("command_status and ingest_ack", () => {
  it("follows a command from submitted to stored to sent", () => {
    const s = store();
    s.getState().trackCommand(pending("c-1"));
    s.getState().applyFrame({
      type: "ingest_ack",
      payload: { ref: "c-1", frameType: "send_command", streamSeq: 3 },
    });
    expect(s.getState().commands.get("c-1")?.state).toBe("requested");
    s.getState().applyFrame(status("c-1", "issued", "2026-11-01T10:03:00Z"));
    s.getState().applyFrame(status("c-1", "sent", "2026-11-01T10:04:00Z"));
    expect(s.getState().commands.get("c-1")).toMatchObject({ state: "sent", text: "hey" });
  });

  it("never leaves a final state for a late frame", () => {
    const s = store();
    s.getState().applyFrame(status("c-2", "sent", "2026-11-01T10:04:00Z"));
    s.getState().applyFrame(status("c-2", "delivered", "2026-11-01T10:03:00Z"));
    expect(s.getState().commands.get("c-2")?.state).toBe("sent");
  });

  it("learns about commands it did not send (auto-send, another analyst)", () => {
    const s = store();
    s.getState().applyFrame(status("c-3", "issued", "2026-11-01T10:03:00Z"));
    expect(s.getState().commands.get("c-3")).toMatchObject({ chatId: "7", draftId: "d-7" });
  });
});

describe("the audit log", () => {
  it("fills in commands and their text, but never rolls a newer state back", () => {
    const s = store();
    s.getState().applyFrame(status("c-9", "sent", "2026-11-01T10:09:00Z"));
    const record = (commandId: string, state: "issued" | "delivered", updatedAt: string) => ({
      command: { commandId, userId: USER, chatId: 7, text: "from the log", createdAt: updatedAt },
      state,
      requestedBy: "analyst",
      via: "rest" as const,
      requestedAt: updatedAt,
      updatedAt,
      draftId: null,
    });
    s.getState().mergeCommandRecords([
      record("c-8", "delivered", "2026-11-01T10:08:00Z"),
      record("c-9", "issued", "2026-11-01T10:05:00Z"),
    ]);
    expect(s.getState().commands.get("c-8")).toMatchObject({
      state: "delivered",
      text: "from the log",
      chatId: "7",
      via: "rest",
    });
    expect(s.getState().commands.get("c-9")?.state).toBe("sent");
  });
});

describe("Agent-only frames", () => {
  it("change nothing but the last-frame time", () => {
    const s = store();
    s.getState().applyFrame({
      type: "command_to_execute",
      payload: {
        commandId: "x",
        userId: USER,
        chatId: 7,
        text: "t",
        createdAt: "2026-11-01T10:00:00Z",
      },
    });
    s.getState().applyFrame({ type: "clear_local_data", payload: { userId: USER, reason: "x" } });
    expect(s.getState().commands.size).toBe(0);
    expect(s.getState().conversations.size).toBe(0);
  });
});

describe("REST pages", () => {
  it("merge into the current snapshot generation without overwriting newer live nodes", () => {
    const s = store();
    s.getState().applyFrame(fullSync([node("1")], 3));
    const live = node("1", {
      lastMessage: { at: "2026-11-01T12:00:00Z", direction: "in", text: "live" },
    });
    s.getState().applyFrame({ type: "append_message", payload: live });
    s.getState().mergeChatPage(1, [node("1"), node("2"), node("3")], 3);
    expect(s.getState().conversations.get("1")?.lastMessage?.text).toBe("live");
    expect(s.getState().loading.loaded).toBe(3);
  });

  it("from an older generation are dropped", () => {
    const s = store();
    s.getState().applyFrame(fullSync([node("1")], 3));
    s.getState().applyFrame(fullSync([node("1")], 3));
    s.getState().mergeChatPage(1, [node("2")], 3);
    expect(s.getState().conversations.has("2")).toBe(false);
  });
});

describe("a batch of frames", () => {
  it("equals the frames applied one by one, with one copy of the map", () => {
    const frames = [
      fullSync([node("1"), node("2")], 4),
      { type: "append_message", payload: node("3") },
      { type: "append_message", payload: node("1", { unread: 7 }) },
      { type: "reply_suggestion", payload: draft("2") },
    ] as const;
    const batched = store();
    const single = store();
    batched.getState().applyFrames(frames);
    for (const frame of frames) single.getState().applyFrame(frame);
    const pick = (s: ReturnType<typeof store>) => {
      const state = s.getState();
      return {
        chats: [...state.conversations.entries()],
        total: state.totalConversations,
        loading: state.loading,
        drafts: [...state.drafts.keys()],
        generation: state.syncGeneration,
      };
    };
    expect(pick(batched)).toEqual(pick(single));
    expect(batched.getState().conversations.get("1")?.unread).toBe(7);
  });

  it("does not mutate the map an earlier state holds", () => {
    const s = store();
    s.getState().applyFrame(fullSync([node("1")]));
    const before = s.getState().conversations;
    s.getState().applyFrames([
      { type: "append_message", payload: node("2") },
      { type: "append_message", payload: node("3") },
    ]);
    expect(before.size).toBe(1);
    expect(s.getState().conversations.size).toBe(3);
  });
});

describe("inbox orders", () => {
  it("sort by priority, waiting time and revenue", () => {
    const a = node("a", {
      priority: 0.9,
      awaitingReplySince: "2026-11-01T09:00:00Z",
      revenue: { total: 5 },
    });
    const b = node("b", {
      priority: 0.1,
      awaitingReplySince: "2026-11-01T08:00:00Z",
      revenue: { total: 50 },
    });
    const c = node("c", { priority: 0.5, awaitingReplySince: null, revenue: { total: 0 } });
    const ids = (sort: "priority" | "waiting" | "revenue") =>
      sortConversations([a, b, c], sort).map((n) => n.chatId);
    expect(ids("priority")).toEqual(["a", "c", "b"]);
    expect(ids("waiting")).toEqual(["b", "a", "c"]);
    expect(ids("revenue")).toEqual(["b", "a", "c"]);
  });
});
