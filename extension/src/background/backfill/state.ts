/**
 * What the backfill keeps in the creator's database, so a restarted worker (or browser)
 * continues where it stopped:
 *
 * - `meta.backfill`: the run (state, since, counters), the chat-list cursor (`listOffset`), the
 *   fans whose names are still to fetch, the position in the chat queue, and `nextAt` (the
 *   earliest next request: spacing and backoff survive a restart);
 * - `meta.backfillQueue`: the chats of the run, most recent first (written once per run);
 * - `history` (one record per chat, `db.ts`): how far back that chat was walked;
 * - `meta.coverageDirty`: chats whose coverage changed since the last `capture_state`.
 */
import type { BackfillState } from "../../gen/wss-incoming";
import { isObject } from "../../shared/json";
import { normalizeId, type AgentDb, type HistoryRecord, type RecordKey } from "../db";

export type { BackfillState };

export interface BackfillMeta {
  state: BackfillState;
  /** Which pass this is (each Start that begins anew adds one). */
  pass: number;
  /** Why it is paused or waiting, in words for the popup. */
  reason: string | null;
  since: number | null;
  startedAt: number | null;
  finishedAt: number | null;
  /** Requests made in this run, and messages they brought. */
  requests: number;
  messages: number;
  phase: "list" | "chats";
  listOffset: number;
  /** The chat list was walked to its end at least once. */
  listComplete: boolean;
  /** Fans of the last list page whose names are still to fetch. */
  pendingUsers: RecordKey[];
  queueIndex: number;
  chatsTotal: number;
  nextAt: number;
  /** Failures in a row of the current step. */
  attempt: number;
  rateLimitedUntil: number | null;
  /** The page had no app store: wait until a tab (re)loads. */
  waitTab: boolean;
}

export const ACTIVE: ReadonlySet<BackfillState> = new Set(["running", "paused", "rate_limited"]);

export function initialMeta(): BackfillMeta {
  return {
    state: "idle",
    pass: 0,
    reason: null,
    since: null,
    startedAt: null,
    finishedAt: null,
    requests: 0,
    messages: 0,
    phase: "list",
    listOffset: 0,
    listComplete: false,
    pendingUsers: [],
    queueIndex: 0,
    chatsTotal: 0,
    nextAt: 0,
    attempt: 0,
    rateLimitedUntil: null,
    waitTab: false,
  };
}

export async function loadMeta(db: AgentDb): Promise<BackfillMeta> {
  const stored = await db.get("meta", "backfill");
  return isObject(stored) ? { ...initialMeta(), ...(stored as Partial<BackfillMeta>) } : initialMeta();
}

export async function saveMeta(db: AgentDb, meta: BackfillMeta): Promise<void> {
  await db.put("meta", { ...meta }, "backfill");
}

/** The run's chat order, or null when it was not built yet. */
export async function loadQueue(db: AgentDb): Promise<RecordKey[] | null> {
  const stored = await db.get("meta", "backfillQueue");
  return Array.isArray(stored) ? stored.filter((id): id is RecordKey => normalizeId(id) !== null) : null;
}

function lastMessageAt(chat: unknown): number {
  const last = isObject(chat) && isObject(chat.lastMessage) ? chat.lastMessage : null;
  const at = last && typeof last.createdAt === "string" ? Date.parse(last.createdAt) : Number.NaN;
  return Number.isFinite(at) ? at : -1;
}

/** Every stored chat, most recent last message first (chats without one last); stored as the
 * run's queue. Read in batches: only ids and times are kept. */
export async function buildQueue(db: AgentDb): Promise<RecordKey[]> {
  const entries: [RecordKey, number][] = [];
  let cursor = await db.transaction("chats").store.openCursor();
  while (cursor) {
    entries.push([cursor.key, lastMessageAt(cursor.value)]);
    cursor = await cursor.continue();
  }
  entries.sort((a, b) => b[1] - a[1]);
  const queue = entries.map(([id]) => id);
  await db.put("meta", queue, "backfillQueue");
  return queue;
}

export function emptyHistory(chatId: RecordKey, now: number): HistoryRecord {
  return {
    chatId,
    oldestId: null,
    oldestAt: null,
    newestId: null,
    reachedStart: false,
    complete: false,
    pages: 0,
    topUp: null,
    failed: null,
    updatedAt: now,
  };
}

/** Whether `record` holds the chat's history back to its first message, or to `since`. */
export function completeFor(record: HistoryRecord, since: number | null): boolean {
  if (record.reachedStart) return true;
  return since !== null && record.oldestAt !== null && record.oldestAt <= since;
}

/** OnlyFans ids in order: numerically when both are numbers. */
export function compareIds(a: RecordKey, b: RecordKey): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  const x = String(a);
  const y = String(b);
  return x.length - y.length || (x < y ? -1 : x > y ? 1 : 0);
}
