import { afterEach, describe, expect, it, vi } from "vitest";
import { fullSync, node } from "../store/test-fixtures";
import type { OutgoingWssMessage } from "../wire";
import { FrameBatcher } from "./frameBatcher";

const append = (chatId: string): OutgoingWssMessage => ({
  type: "append_message",
  payload: node(chatId),
});

afterEach(() => vi.useRealTimers());

describe("FrameBatcher", () => {
  it("applies a burst of frames in one batch, in order", async () => {
    vi.useFakeTimers();
    const batches: OutgoingWssMessage[][] = [];
    const batcher = new FrameBatcher((frames) => batches.push(frames), 50);
    batcher.push(append("1"));
    batcher.push(append("2"));
    batcher.push(append("3"));
    expect(batches).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(50);
    expect(
      batches.map((b) => b.map((f) => (f.type === "append_message" ? f.payload.chatId : "?"))),
    ).toEqual([["1", "2", "3"]]);
  });

  it("applies a snapshot at once, after what was queued before it", () => {
    vi.useFakeTimers();
    const batches: OutgoingWssMessage[][] = [];
    const batcher = new FrameBatcher((frames) => batches.push(frames), 50);
    batcher.push(append("1"));
    batcher.push(fullSync([node("9")]));
    expect(batches).toHaveLength(1);
    expect(batches[0]?.map((f) => f.type)).toEqual(["append_message", "full_sync_response"]);
  });

  it("drops the queue on clear", async () => {
    vi.useFakeTimers();
    const apply = vi.fn();
    const batcher = new FrameBatcher(apply, 50);
    batcher.push(append("1"));
    batcher.clear();
    await vi.advanceTimersByTimeAsync(100);
    expect(apply).not.toHaveBeenCalled();
  });
});
