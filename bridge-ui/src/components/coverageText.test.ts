import { describe, expect, it } from "vitest";
import type { Coverage } from "../wire";
import {
  backfillText,
  chatHistoryText,
  coverageBanner,
  coverageStatus,
  historyIncomplete,
  shareOf,
} from "./coverageText";

const UTC = { timeZone: "UTC", now: Date.parse("2026-11-20T12:00:00Z") };

/** A coverage of 2,000 chats, the list walked, 1,640 with their whole history. */
function partial(over: Partial<Coverage> = {}): Coverage {
  return {
    chatsKnown: 2000,
    chatListComplete: true,
    chatsComplete: 1640,
    shareComplete: 0.82,
    messagesCaptured: 41234,
    completeSince: "2026-11-03T08:00:00Z",
    whole: false,
    lastCaptureAt: "2026-11-20T11:58:00Z",
    backfill: { state: "done", chatsDone: 2000, chatsTotal: 2000, requests: 2400 },
    ...over,
  };
}

const whole = (over: Partial<Coverage> = {}) =>
  partial({ chatsComplete: 2000, shareComplete: 1, whole: true, completeSince: null, ...over });

describe("status bar coverage", () => {
  it("says it does not know without coverage", () => {
    expect(coverageStatus(null)).toMatchObject({ text: "Coverage unknown", tone: "unknown" });
    expect(coverageStatus(undefined).text).toBe("Coverage unknown");
  });

  it("gives the share of complete chats, rounded down", () => {
    expect(coverageStatus(partial(), UTC)).toMatchObject({
      text: "History: 82% of chats complete",
      tone: "partial",
    });
    const almost = coverageStatus(partial({ chatsComplete: 1999, shareComplete: 1 }), UTC);
    expect(almost.text).toBe("History: 99% of chats complete");
  });

  it("says complete only when the Brain says the data is whole", () => {
    expect(coverageStatus(whole(), UTC)).toMatchObject({ text: "History complete", tone: "whole" });
    const chosen = whole({ completeSince: "2025-06-01T00:00:00Z" });
    expect(coverageStatus(chosen, UTC).text).toBe("History complete since 1 Jun 2025");
    // Every chat held is complete, but the chat list was not walked to its end.
    const unlisted = partial({ chatListComplete: false, chatsComplete: 2000, shareComplete: 1 });
    expect(coverageStatus(unlisted, UTC)).toMatchObject({
      text: "Chat list not walked yet",
      tone: "partial",
    });
    expect(coverageStatus(unlisted, UTC).text).not.toMatch(/complete/i);
  });

  it("shows a running backfill with formatted counts", () => {
    const running = partial({
      backfill: { state: "running", chatsDone: 120, chatsTotal: 2000, requests: 130 },
    });
    expect(coverageStatus(running, UTC)).toMatchObject({
      text: "Backfill running 120 of 2,000 chats",
      tone: "progress",
    });
  });

  it("says why a backfill waits", () => {
    const paused = partial({ backfill: { state: "paused", chatsDone: 5, chatsTotal: 20 } });
    expect(coverageStatus(paused, UTC).text).toBe("Backfill paused (no visible OnlyFans tab)");
    const limited = partial({
      backfill: { state: "rate_limited", rateLimitedUntil: "2026-11-20T14:05:00Z" },
    });
    expect(coverageStatus(limited, UTC).text).toBe("Rate-limited until 14:05");
  });

  it("keeps the share visible when the creator stopped the backfill", () => {
    const stopped = partial({ backfill: { state: "stopped", chatsDone: 300, chatsTotal: 2000 } });
    expect(coverageStatus(stopped, UTC).text).toBe(
      "History: 82% of chats complete · Backfill stopped at 300 of 2,000 chats",
    );
  });

  it("says the chat list was not walked before any backfill", () => {
    const fresh: Coverage = { chatsKnown: 30, messagesCaptured: 250 };
    expect(coverageStatus(fresh, UTC).text).toBe("Chat list not walked yet");
    expect(coverageStatus(fresh, UTC).detail).toContain("0 of 30 chats with their whole history");
  });
});

describe("analytics banner", () => {
  it("gives the share, the counts and since when every chat is captured", () => {
    expect(coverageBanner(partial(), UTC)).toMatchObject({
      text: "Based on 82% of chats (1,640 of 2,000); complete since 3 Nov 2026",
      tone: "partial",
      suggestBackfill: true,
    });
    expect(coverageBanner(partial({ completeSince: null }), UTC).text).toBe(
      "Based on 82% of chats (1,640 of 2,000)",
    );
  });

  it("says every chat only when whole", () => {
    expect(coverageBanner(whole(), UTC)).toMatchObject({
      text: "Based on every chat, complete history",
      tone: "whole",
      suggestBackfill: false,
    });
    const since = whole({ completeSince: "2025-01-01T00:00:00Z" });
    expect(coverageBanner(since, UTC).text).toBe(
      "Based on every chat, with history complete since 1 Jan 2025",
    );
    const almost = partial({ chatsComplete: 1999, shareComplete: 1 });
    expect(coverageBanner(almost, UTC).text).toMatch(/^Based on 99% of chats \(1,999 of 2,000\)/);
  });

  it("asks for a backfill while the chat list is not walked", () => {
    const fresh: Coverage = { chatsKnown: 30, chatsComplete: 30, messagesCaptured: 250 };
    const banner = coverageBanner(fresh, UTC);
    expect(banner.text).toBe(
      "Based on the messages captured so far: the chat list has not been walked whole — start a history backfill in the extension",
    );
    expect(banner.suggestBackfill).toBe(true);
    expect(banner.text).not.toMatch(/every chat|complete history/);
  });

  it("does not ask for a backfill that is already running, and shows its progress", () => {
    const running = partial({
      chatListComplete: false,
      backfill: { state: "running", chatsDone: 1640, chatsTotal: 2000 },
    });
    const banner = coverageBanner(running, UTC);
    expect(banner.suggestBackfill).toBe(false);
    expect(banner.text).not.toContain("start a history backfill");
    expect(banner.backfill).toBe("Backfill running 1,640 of 2,000 chats");
  });

  it("does not ask for a backfill that waits for a tab or for OnlyFans", () => {
    for (const state of ["paused", "rate_limited"]) {
      const waiting = coverageBanner(partial({ backfill: { state } }), UTC);
      expect(waiting.suggestBackfill).toBe(false);
    }
    const stopped = coverageBanner(partial({ backfill: { state: "stopped", chatsDone: 3 } }), UTC);
    expect(stopped.suggestBackfill).toBe(true);
    expect(stopped.backfill).toBe("Backfill stopped at 3 chats");
  });

  it("says coverage is unknown without it", () => {
    expect(coverageBanner(null)).toMatchObject({ tone: "unknown", suggestBackfill: false });
    expect(coverageBanner(null).text).toMatch(/^Coverage unknown/);
  });
});

describe("a chat's history", () => {
  it("says complete only when the chat's history is", () => {
    expect(chatHistoryText({ captured: 42, complete: true }, UTC)).toBe(
      "42 messages captured · history complete",
    );
    expect(
      chatHistoryText({ captured: 42, complete: false, oldestAt: "2026-11-03T09:00:00Z" }, UTC),
    ).toBe("42 messages captured since 3 Nov · older history not captured yet");
  });

  it("gives the year of an older date, counts with separators and one message singular", () => {
    expect(chatHistoryText({ captured: 1234, oldestAt: "2025-02-14T09:00:00Z" }, UTC)).toBe(
      "1,234 messages captured since 14 Feb 2025 · older history not captured yet",
    );
    expect(chatHistoryText({ captured: 1, complete: true }, UTC)).toBe(
      "1 message captured · history complete",
    );
    expect(chatHistoryText({ captured: 0 }, UTC)).toBe("No messages captured yet");
    expect(chatHistoryText(undefined)).toBe("History coverage unknown");
  });

  it("marks chats whose history is incomplete, not unknown ones", () => {
    expect(historyIncomplete({ captured: 3 })).toBe(true);
    expect(historyIncomplete({ captured: 3, complete: true })).toBe(false);
    expect(historyIncomplete(undefined)).toBe(false);
  });
});

describe("numbers", () => {
  it("rounds shares down and shows a little as <1%", () => {
    expect(shareOf(1, 2000)).toBe("<1%");
    expect(shareOf(0, 2000)).toBe("0%");
    expect(shareOf(2000, 2000)).toBe("100%");
    expect(shareOf(0, 0)).toBe("—");
    expect(shareOf(29, 100)).toBe("29%");
    expect(shareOf(57, 100)).toBe("57%");
  });

  it("says nothing about an idle or finished backfill", () => {
    expect(backfillText({ state: "idle" })).toBe("");
    expect(backfillText({ state: "done", chatsDone: 5, chatsTotal: 5 })).toBe("");
    expect(backfillText({ state: "rate_limited" })).toBe("Backfill rate-limited by OnlyFans");
    expect(backfillText({ state: "running", chatsDone: 7 })).toBe("Backfill running 7 chats");
  });
});
