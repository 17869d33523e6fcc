/**
 * How fast the backfill may go, and how it backs off.
 *
 * - Spacing: at most `backfillRatePerSecond` requests a second (default 1). The time of the
 *   next allowed request (`nextAt`) is stored before each request is sent, so a restarted
 *   worker waits out the spacing instead of bursting.
 * - 429 and 5xx (and a step that failed without an answer): wait
 *   `min(300 s, 2^attempt s) × (0.5..1)` (jitter), never less than the site's `Retry-After`.
 * - Another 4xx is not retried (a chat that cannot be read is skipped).
 */
import type { BackfillResult } from "../../shared/backfill-protocol";

export const DEFAULT_RATE_PER_SECOND = 1;
export const MAX_RATE_PER_SECOND = 20;
export const MAX_BACKOFF_MS = 300_000;

/** Milliseconds between two requests at `ratePerSecond`. */
export function spacingMs(ratePerSecond: number): number {
  const rate = Number.isFinite(ratePerSecond) && ratePerSecond > 0 ? ratePerSecond : DEFAULT_RATE_PER_SECOND;
  return 1000 / Math.min(rate, MAX_RATE_PER_SECOND);
}

/** The pause after the `attempt`-th failure in a row (attempt ≥ 1). */
export function backoffMs(attempt: number, retryAfterS: number | null, random: () => number): number {
  const base = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.max(1, attempt));
  const jittered = base * (0.5 + 0.5 * random());
  return Math.max(jittered, retryAfterS === null ? 0 : retryAfterS * 1000);
}

export type Verdict =
  | "ok"
  /** 429 or 5xx: the site asks to slow down. */
  | "rate_limited"
  /** No answer (timeout, tab gone, response not captured or not stored): try again later. */
  | "retry"
  /** Another 4xx: this request will not succeed by repeating it. */
  | "refused"
  /** The page has no app store: the backfill cannot run on it. */
  | "no_store";

export function verdictOf(result: BackfillResult): Verdict {
  if (result.ok) return "ok";
  if (result.error === "no_store") return "no_store";
  const status = result.status;
  if (status === 429 || (status !== null && status >= 500)) return "rate_limited";
  if (status !== null && status >= 400) return "refused";
  return "retry";
}
