/**
 * What the Brain's data covers, in words (the Brain's `Coverage` and a chat's `ChatHistory`).
 *
 * The rule: a figure computed on part of the inbox never reads as if it were whole. Nothing here
 * says "complete" unless the Brain says so (`coverage.whole`, or a chat's `history.complete`),
 * and a share is rounded down, so 1,999 of 2,000 chats reads "99%", never "100%".
 */
import type { BackfillStatus, ChatHistory, Coverage } from "../wire";
import { formatCount } from "./format";

/** How a coverage line looks: whole (green), partial (amber), progress (blue), unknown (grey). */
export type CoverageTone = "whole" | "partial" | "progress" | "unknown";

export interface CoverageLine {
  text: string;
  tone: CoverageTone;
  /** The longer explanation (a tooltip). */
  detail: string;
}

/** Dates and times in a fixed style; `timeZone` is for tests and the UTC analytics page. */
export interface When {
  now?: number;
  timeZone?: string | undefined;
}

/** "3 Nov 2026" (the year left out when `short` and it is the current year). */
export function formatDay(iso: string, when: When = {}, short = false): string {
  const date = new Date(iso);
  const zone = when.timeZone;
  const year = (d: Date) =>
    new Intl.DateTimeFormat("en-GB", { year: "numeric", timeZone: zone }).format(d);
  const sameYear = year(date) === year(new Date(when.now ?? Date.now()));
  return new Intl.DateTimeFormat("en-GB", {
    day: "numeric",
    month: "short",
    year: short && sameYear ? undefined : "numeric",
    timeZone: zone,
  }).format(date);
}

/** "14:05" (24-hour clock). */
export function formatClock(at: string | number, when: When = {}): string {
  return new Intl.DateTimeFormat("en-GB", {
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZone: when.timeZone,
  }).format(new Date(at));
}

/** `done / total` as a whole percentage rounded down ("<1%" for a little above nothing). */
export function shareOf(done: number, total: number): string {
  if (total <= 0) return "—";
  // done * 100 first: (29 / 100) * 100 is 28.999… in floating point.
  const pct = Math.floor((Math.min(done, total) * 100) / total);
  return pct === 0 && done > 0 ? "<1%" : `${pct}%`;
}

/** The chat counts of a coverage, with the Brain's defaults for absent fields. */
function counts(coverage: Coverage) {
  return {
    known: coverage.chatsKnown ?? 0,
    complete: coverage.chatsComplete ?? 0,
    listed: coverage.chatListComplete ?? false,
    whole: coverage.whole ?? false,
  };
}

/** "120 of 2,000 chats" (or "120 chats" before the total is known). */
function progressOf(backfill: BackfillStatus): string {
  const done = formatCount(backfill.chatsDone ?? 0);
  const total = backfill.chatsTotal ?? 0;
  return total > 0 ? `${done} of ${formatCount(total)} chats` : `${done} chats`;
}

const UNDERWAY: ReadonlySet<string> = new Set(["running", "paused", "rate_limited"]);

/** What the Agent's backfill is doing, when it is doing (or waiting to do) something. */
export function backfillText(backfill: BackfillStatus | null | undefined, when: When = {}): string {
  if (!backfill) return "";
  switch (backfill.state) {
    case "running":
      return `Backfill running ${progressOf(backfill)}`;
    case "paused":
      return "Backfill paused (no visible OnlyFans tab)";
    case "rate_limited":
      return backfill.rateLimitedUntil
        ? `Rate-limited until ${formatClock(backfill.rateLimitedUntil, when)}`
        : "Backfill rate-limited by OnlyFans";
    case "stopped":
      return `Backfill stopped at ${progressOf(backfill)}`;
    default: // idle, done: the coverage itself says what there is
      return "";
  }
}

/** A longer account of a coverage, for a tooltip. */
function detailOf(coverage: Coverage, when: When): string {
  const { known, complete, listed } = counts(coverage);
  const parts = [
    listed ? "Chat list walked to its end." : "Chat list not walked to its end yet.",
    `${formatCount(complete)} of ${formatCount(known)} chats with their whole history.`,
    `${formatCount(coverage.messagesCaptured ?? 0)} messages captured.`,
  ];
  if (coverage.lastCaptureAt) {
    parts.push(
      `Last capture ${formatDay(coverage.lastCaptureAt, when, true)}, ${formatClock(coverage.lastCaptureAt, when)}.`,
    );
  }
  const backfill = coverage.backfill;
  if (backfill) {
    parts.push(
      `Backfill: ${backfill.state.replace("_", " ")}, ${progressOf(backfill)}, ${formatCount(backfill.requests ?? 0)} requests` +
        (backfill.reportedAt ? ` (reported ${formatClock(backfill.reportedAt, when)}).` : "."),
    );
  }
  return parts.join(" ");
}

/** The status bar's compact indicator. */
export function coverageStatus(
  coverage: Coverage | null | undefined,
  when: When = {},
): CoverageLine {
  if (!coverage) {
    return {
      text: "Coverage unknown",
      tone: "unknown",
      detail: "The Brain has not said how much of the inbox it holds.",
    };
  }
  const detail = detailOf(coverage, when);
  const active = backfillText(coverage.backfill, when);
  const state = coverage.backfill?.state;
  if (active && state !== "stopped") return { text: active, tone: "progress", detail };
  const { known, complete, listed, whole } = counts(coverage);
  if (whole) {
    // Whole back to the date the creator chose for the backfill, when they chose one.
    const since = coverage.completeSince ? formatDay(coverage.completeSince, when, true) : null;
    return {
      text: since ? `History complete since ${since}` : "History complete",
      tone: "whole",
      detail,
    };
  }
  if (!listed) return { text: "Chat list not walked yet", tone: "partial", detail };
  if (known === 0) return { text: "No chats captured yet", tone: "partial", detail };
  const text = `History: ${shareOf(complete, known)} of chats complete`;
  return { text: active ? `${text} · ${active}` : text, tone: "partial", detail };
}

/** The analytics banner: what the figures below are computed on. */
export interface CoverageBanner extends CoverageLine {
  /** A history backfill would make the figures more complete. */
  suggestBackfill: boolean;
  /** What the backfill is doing now ("" when nothing). */
  backfill: string;
}

export function coverageBanner(
  coverage: Coverage | null | undefined,
  when: When = {},
): CoverageBanner {
  if (!coverage) {
    return {
      text: "Coverage unknown: the Brain has not said how much of the inbox these figures cover.",
      tone: "unknown",
      detail: "",
      suggestBackfill: false,
      backfill: "",
    };
  }
  const detail = detailOf(coverage, when);
  const backfill = backfillText(coverage.backfill, when);
  // Running, or waiting for a tab or for OnlyFans' limit: no point asking for another one.
  const underway = UNDERWAY.has(coverage.backfill?.state ?? "");
  const { known, complete, listed, whole } = counts(coverage);
  const since = coverage.completeSince ? formatDay(coverage.completeSince, when) : null;
  if (whole) {
    const text = since
      ? `Based on every chat, with history complete since ${since}`
      : "Based on every chat, complete history";
    return { text, tone: "whole", detail, suggestBackfill: false, backfill };
  }
  if (!listed) {
    return {
      text:
        "Based on the messages captured so far: the chat list has not been walked whole" +
        (underway ? "" : " — start a history backfill in the extension"),
      tone: "partial",
      detail,
      suggestBackfill: !underway,
      backfill,
    };
  }
  if (known === 0) {
    return {
      text: "No chats captured yet",
      tone: "partial",
      detail,
      suggestBackfill: false,
      backfill,
    };
  }
  const share = `Based on ${shareOf(complete, known)} of chats (${formatCount(complete)} of ${formatCount(known)})`;
  return {
    text: since ? `${share}; complete since ${since}` : share,
    tone: "partial",
    detail,
    suggestBackfill: !underway,
    backfill,
  };
}

/** One chat's history: "42 messages captured · history complete" and the like. */
export function chatHistoryText(history: ChatHistory | null | undefined, when: When = {}): string {
  if (!history) return "History coverage unknown";
  const captured = history.captured ?? 0;
  const messages = `${formatCount(captured)} ${captured === 1 ? "message" : "messages"} captured`;
  if (history.complete) return `${messages} · history complete`;
  if (captured === 0) return "No messages captured yet";
  const since = history.oldestAt ? ` since ${formatDay(history.oldestAt, when, true)}` : "";
  return `${messages}${since} · older history not captured yet`;
}

/** Whether the inbox marks a chat as missing older history (unknown is not marked). */
export function historyIncomplete(history: ChatHistory | null | undefined): boolean {
  return history !== null && history !== undefined && history.complete !== true;
}
