/**
 * The walk itself: which request comes next, and what a page changes.
 *
 * Phase 1, the chat list: `chats` steps from the saved offset until `hasMore` is false; after
 * each page, one `users` step for that page's fans whose names are not known yet.
 * Phase 2, each chat, most recent first: `messages` with no cursor (the newest page), then with
 * the oldest id so far, until `hasMore` is false or the page reaches `since`: the chat is
 * complete. A chat complete from an earlier run whose `lastMessage` is newer than the walked
 * `newestId` gets a top-up: newest pages down to the first id already held. A chat that needs
 * nothing costs no request.
 *
 * A cursor moves only in the transaction that also checks the page's data is stored (the
 * capture arrives and is stored before the step's result), so it never passes data that is
 * not in the database; a restart repeats at most the one step that was in flight.
 */
import type { BackfillResult, BackfillStep } from "../../shared/backfill-protocol";
import { MAX_USERS_PER_STEP } from "../../shared/backfill-protocol";
import { isObject } from "../../shared/json";
import { normalizeId, type AgentDb, type HistoryRecord, type RecordKey } from "../db";
import { buildQueue, compareIds, completeFor, emptyHistory, type BackfillMeta } from "./state";

export type StepSpec =
  | { action: "chats"; offset: number }
  | { action: "users"; ids: RecordKey[] }
  | { action: "messages"; chatId: RecordKey; beforeId: RecordKey | null; mode: "down" | "top" };

export function toStep(stepId: string, spec: StepSpec): BackfillStep {
  switch (spec.action) {
    case "chats":
      return { stepId, action: "chats", offset: spec.offset };
    case "users":
      return { stepId, action: "users", ids: spec.ids };
    case "messages":
      return { stepId, action: "messages", chatId: spec.chatId, beforeId: spec.beforeId };
  }
}

function lastMessageId(chat: unknown): RecordKey | null {
  return isObject(chat) && isObject(chat.lastMessage) ? normalizeId(chat.lastMessage.id) : null;
}

/** What one chat still needs in this run, or null. */
async function chatNeed(db: AgentDb, chatId: RecordKey, since: number | null): Promise<StepSpec | null> {
  const record = await db.get("history", chatId);
  if (!record) return { action: "messages", chatId, beforeId: null, mode: "down" };
  if (record.failed !== null) return null;
  if (!completeFor(record, since)) {
    return { action: "messages", chatId, beforeId: record.oldestId, mode: "down" };
  }
  if (record.topUp) return { action: "messages", chatId, beforeId: record.topUp.cursorId, mode: "top" };
  const last = lastMessageId(await db.get("chats", chatId));
  if (last !== null && (record.newestId === null || compareIds(last, record.newestId) > 0)) {
    return { action: "messages", chatId, beforeId: null, mode: "top" };
  }
  return null;
}

/** The run's next request, or null when it is done. Moves `meta.queueIndex` past chats that
 * need nothing (the caller stores `meta`). `queue` is the run's chat order (null: not built). */
export async function nextStep(
  db: AgentDb,
  meta: BackfillMeta,
  queue: RecordKey[] | null,
): Promise<{ spec: StepSpec | null; queue: RecordKey[] | null }> {
  if (meta.pendingUsers.length > 0) {
    return { spec: { action: "users", ids: meta.pendingUsers.slice(0, MAX_USERS_PER_STEP) }, queue };
  }
  if (meta.phase === "list") return { spec: { action: "chats", offset: meta.listOffset }, queue };
  let order = queue;
  if (order === null) {
    order = await buildQueue(db);
    meta.chatsTotal = order.length;
  }
  while (meta.queueIndex < order.length) {
    const chatId = order[meta.queueIndex] as RecordKey;
    const need = await chatNeed(db, chatId, meta.since);
    if (need) return { spec: need, queue: order };
    meta.queueIndex += 1;
  }
  return { spec: null, queue: order };
}

function addDirty(dirty: unknown, chatId: RecordKey): RecordKey[] {
  const list = Array.isArray(dirty) ? (dirty as RecordKey[]) : [];
  return list.includes(chatId) ? list : [...list, chatId];
}

/** Apply a successful page to the cursors, in one transaction with the check that its data is
 * stored. False (nothing changed) when it is not. */
export async function applyPage(
  db: AgentDb,
  meta: BackfillMeta,
  spec: StepSpec,
  result: BackfillResult,
  now: number,
): Promise<boolean> {
  const tx = db.transaction(["meta", "chats", "messages", "history"], "readwrite");
  const ids = result.ids.map(normalizeId).filter((id): id is RecordKey => id !== null);
  const done = async (applied: boolean): Promise<boolean> => {
    if (applied) await tx.objectStore("meta").put({ ...meta }, "backfill");
    await tx.done;
    return applied;
  };
  if (spec.action === "users") {
    meta.pendingUsers = meta.pendingUsers.filter((id) => !spec.ids.includes(id));
    return done(true);
  }
  if (spec.action === "chats") {
    const chats = tx.objectStore("chats");
    const stored = await Promise.all(ids.map((id) => chats.get(id)));
    if (stored.some((chat) => chat === undefined)) return done(false);
    meta.pendingUsers = ids.filter((_, i) => {
      const withUser = stored[i]?.withUser;
      return !(isObject(withUser) && typeof withUser.name === "string");
    });
    meta.listOffset = result.nextOffset ?? meta.listOffset + result.count;
    if (result.hasMore !== true || result.count === 0) {
      meta.listComplete = true;
      meta.phase = "chats";
      meta.queueIndex = 0;
    }
    return done(true);
  }
  const { chatId } = spec;
  const oldestId = normalizeId(result.oldestId);
  const newestId = normalizeId(result.newestId);
  if (oldestId !== null) {
    const oldest = await tx.objectStore("messages").get(oldestId);
    if (!oldest || oldest.chatId !== chatId) return done(false);
  }
  const history = tx.objectStore("history");
  const record: HistoryRecord = (await history.get(chatId)) ?? emptyHistory(chatId, now);
  record.pages += 1;
  record.updatedAt = now;
  const end = result.hasMore !== true || result.count === 0;
  if (spec.mode === "down") {
    if (record.newestId === null) record.newestId = newestId;
    if (oldestId !== null) {
      record.oldestId = oldestId;
      record.oldestAt = result.oldestAt;
    }
    if (end) record.reachedStart = true;
    record.complete = completeFor(record, meta.since);
  } else {
    const stopAt = record.topUp ? record.topUp.stopAt : record.newestId;
    const seen = [record.topUp?.newest ?? null, newestId].filter((id): id is RecordKey => id !== null);
    const newest = seen.sort(compareIds).at(-1) ?? null;
    if (end || ids.some((id) => stopAt !== null && compareIds(id, stopAt) <= 0)) {
      record.newestId = newest ?? record.newestId;
      record.topUp = null;
    } else {
      record.topUp = { cursorId: oldestId, stopAt, newest };
    }
  }
  await history.put(record, chatId);
  const metaStore = tx.objectStore("meta");
  await metaStore.put(addDirty(await metaStore.get("coverageDirty"), chatId), "coverageDirty");
  meta.messages += result.count;
  return done(true);
}

/** A request the site refused for good (a 4xx other than 429): a chat is skipped, names are
 * left unknown. */
export async function applyRefused(db: AgentDb, meta: BackfillMeta, spec: StepSpec, status: number, now: number): Promise<void> {
  const tx = db.transaction(["meta", "history"], "readwrite");
  if (spec.action === "messages") {
    const history = tx.objectStore("history");
    const record = (await history.get(spec.chatId)) ?? emptyHistory(spec.chatId, now);
    await history.put({ ...record, failed: status, updatedAt: now }, spec.chatId);
    const metaStore = tx.objectStore("meta");
    await metaStore.put(addDirty(await metaStore.get("coverageDirty"), spec.chatId), "coverageDirty");
  } else if (spec.action === "users") {
    meta.pendingUsers = meta.pendingUsers.filter((id) => !spec.ids.includes(id));
  }
  await tx.objectStore("meta").put({ ...meta }, "backfill");
  await tx.done;
}
