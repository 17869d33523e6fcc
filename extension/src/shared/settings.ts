/**
 * The Agent's settings in `chrome.storage.local` (pinned keys: `brainUrl`, `agentToken`), plus
 * `paused`, `dashboardOrigins` and `backfillRatePerSecond`. The options page and the popup
 * write them; the background reacts to `chrome.storage.onChanged`.
 */

export interface Settings {
  /** e.g. `ws://127.0.0.1:8000` (http(s):// is accepted and turned into ws(s)://). */
  brainUrl: string;
  agentToken: string;
  /** Paused: nothing is captured or forwarded and the socket is closed. */
  paused: boolean;
  /** Extra exact origins allowed to use `onMessageExternal`, besides localhost/127.0.0.1. */
  dashboardOrigins: string[];
  /** History backfill requests per second at most (default 1). */
  backfillRatePerSecond: number;
}

export const DEFAULT_BACKFILL_RATE = 1;
export const MAX_BACKFILL_RATE = 20;

export const SETTING_KEYS = ["brainUrl", "agentToken", "paused", "dashboardOrigins", "backfillRatePerSecond"] as const;
/** Changing one of these restarts the socket. */
export const CONNECTION_KEYS: ReadonlySet<string> = new Set(["brainUrl", "agentToken", "paused"]);

export interface StorageArea {
  get(keys?: string | string[] | null): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
}

export function readSettings(raw: Record<string, unknown>): Settings {
  const origins = Array.isArray(raw.dashboardOrigins) ? raw.dashboardOrigins : [];
  return {
    brainUrl: typeof raw.brainUrl === "string" ? raw.brainUrl.trim() : "",
    agentToken: typeof raw.agentToken === "string" ? raw.agentToken.trim() : "",
    paused: raw.paused === true,
    dashboardOrigins: origins.filter((o): o is string => typeof o === "string" && o.length > 0),
    backfillRatePerSecond: backfillRate(raw.backfillRatePerSecond),
  };
}

/** A usable rate: a number in (0, 20], else the default 1. */
export function backfillRate(value: unknown): number {
  const rate = typeof value === "string" ? Number(value) : value;
  if (typeof rate !== "number" || !Number.isFinite(rate) || rate <= 0) return DEFAULT_BACKFILL_RATE;
  return Math.min(rate, MAX_BACKFILL_RATE);
}

/** Why a brain URL is unusable, or null when it is fine. */
export function brainUrlProblem(value: string): string | null {
  if (!value) return "required";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "not a URL";
  }
  if (!["ws:", "wss:", "http:", "https:"].includes(url.protocol)) {
    return "use ws://, wss://, http:// or https://";
  }
  if (url.search || url.hash) return "no query or fragment, just the server (e.g. ws://127.0.0.1:8000)";
  return null;
}

/** One origin per line → a list of valid origins (invalid lines reported). */
export function parseOrigins(text: string): { origins: string[]; invalid: string[] } {
  const origins: string[] = [];
  const invalid: string[] = [];
  for (const line of text.split(/\s+/)) {
    if (!line) continue;
    try {
      const url = new URL(line);
      if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("scheme");
      origins.push(url.origin);
    } catch {
      invalid.push(line);
    }
  }
  return { origins, invalid };
}
