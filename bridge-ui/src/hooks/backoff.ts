/**
 * Reconnect delays: exponential (base · 2^attempt, capped) with "equal jitter" (half fixed, half
 * random), so a gateway restart is not met by every dashboard at the same instant.
 */
export interface Backoff {
  baseMs: number;
  maxMs: number;
}

export const SOCKET_BACKOFF: Backoff = { baseMs: 500, maxMs: 15_000 };

/** The wait before reconnect attempt `attempt` (0 = the first after a drop). */
export function reconnectDelay(
  attempt: number,
  random: () => number = Math.random,
  { baseMs, maxMs }: Backoff = SOCKET_BACKOFF,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
