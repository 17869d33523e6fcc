/** How the popup and the options page put the backfill's state into words. */
import type { BackfillStatus } from "../background/backfill/runner";

function clock(at: number): string {
  return new Date(at).toLocaleTimeString();
}

/** One line: idle / running x of y chats / paused (why) / rate-limited until / stopped / done. */
export function describeBackfill(status: BackfillStatus): string {
  const chats = `${status.chatsDone} of ${status.chatsTotal} chats`;
  switch (status.state) {
    case "idle":
      return "not started";
    case "running":
      return status.phase === "list"
        ? `running: reading the chat list (${status.listOffset} so far)`
        : `running: ${chats}${status.reason ? ` (retrying: ${status.reason})` : ""}`;
    case "paused":
      return `paused (${status.reason ?? "waiting"})`;
    case "rate_limited":
      return status.rateLimitedUntil === null
        ? "rate-limited"
        : `rate-limited until ${clock(status.rateLimitedUntil)}${status.reason ? ` (${status.reason})` : ""}`;
    case "stopped":
      return status.phase === "list" ? "stopped while reading the chat list" : `stopped at ${chats}`;
    case "done":
      return `done: ${status.chatsTotal} chats`;
  }
}

/** A `<input type="date">` value as epoch ms at local midnight; null when empty or invalid. */
export function sinceFromDateInput(value: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const at = new Date(`${value}T00:00:00`).getTime();
  return Number.isFinite(at) ? at : null;
}
