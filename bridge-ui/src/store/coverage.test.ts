import { describe, expect, it } from "vitest";
import type { Analytics, Coverage, OutgoingWssMessage } from "../wire";
import { fullSync, node, USER } from "./test-fixtures";
import { createChatStore } from "./useChatStore";

const COVERAGE: Coverage = {
  chatsKnown: 2000,
  chatListComplete: true,
  chatsComplete: 1640,
  shareComplete: 0.82,
  whole: false,
  backfill: { state: "running", chatsDone: 1640, chatsTotal: 2000, requests: 1700 },
};

function syncWith(coverage: Coverage | null): OutgoingWssMessage {
  const frame = fullSync([node("1")]);
  if (frame.type !== "full_sync_response") throw new Error("fixture");
  const analytics = { ...frame.payload.analytics, coverage };
  return { ...frame, payload: { ...frame.payload, analytics } };
}

function update(analytics: Analytics): OutgoingWssMessage {
  return {
    type: "analytics_update",
    payload: { userId: USER, at: "2026-11-01T10:07:00Z", analytics },
  };
}

describe("coverage in the store", () => {
  it("arrives with the snapshot's analytics", () => {
    const s = createChatStore(USER);
    s.getState().applyFrame(syncWith(COVERAGE));
    expect(s.getState().analytics?.coverage).toEqual(COVERAGE);
  });

  it("is kept by an analytics_update that does not carry it", () => {
    const s = createChatStore(USER);
    s.getState().applyFrame(syncWith(COVERAGE));
    s.getState().applyFrame(update({ responses: { waitingCount: 2 }, coverage: null }));
    expect(s.getState().analytics?.coverage).toEqual(COVERAGE);
    expect(s.getState().analytics?.responses?.waitingCount).toBe(2);
  });

  it("is replaced whole by a newer one: no stale backfill survives", () => {
    const s = createChatStore(USER);
    s.getState().applyFrame(syncWith(COVERAGE));
    const done: Coverage = { chatsKnown: 2000, chatListComplete: true, chatsComplete: 2000 };
    s.getState().applyFrame(update({ coverage: { ...done, whole: true } }));
    const coverage = s.getState().analytics?.coverage;
    expect(coverage?.whole).toBe(true);
    expect(coverage?.backfill).toBeUndefined();
    expect(s.getState().analytics?.money?.revenueTotal).toBe(10); // other sections kept
  });

  it("is replaced by the next snapshot like every other section", () => {
    const s = createChatStore(USER);
    s.getState().applyFrame(syncWith(COVERAGE));
    s.getState().applyFrame(syncWith({ ...COVERAGE, chatsComplete: 1700 }));
    expect(s.getState().analytics?.coverage?.chatsComplete).toBe(1700);
  });

  it("is forgotten on a creator switch", () => {
    const s = createChatStore(USER);
    s.getState().applyFrame(syncWith(COVERAGE));
    s.getState().reset("999");
    expect(s.getState().analytics).toBeNull();
  });

  it("follows each chat's history in append_message", () => {
    const s = createChatStore(USER);
    s.getState().applyFrame(syncWith(COVERAGE));
    const history = { captured: 42, complete: true, oldestAt: "2026-11-03T09:00:00Z" };
    s.getState().applyFrame({ type: "append_message", payload: node("1", { history }) });
    expect(s.getState().conversations.get("1")?.history).toEqual(history);
  });
});
