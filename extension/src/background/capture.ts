/**
 * From captured traffic to stored records: `interpret` reads one capture (pure), `applyEffects`
 * stores what it found in one IndexedDB transaction and appends to the outbox, in that same
 * transaction, a `chat_update` with every chat record the capture changed (a new chat, a fan's
 * name or avatar from `/users/list`, counters, read state) and a `new_raw_message` for every
 * message that is new or changed, so a stored change is never lost on its way to the Brain.
 * A record that did not change queues nothing.
 *
 * Chat ids: a REST capture names the chat in its URL; a WebSocket `api2_chat_message` carries
 * only `fromUser`, which is the chat when it is the fan; the creator's own sends come from the
 * captured POST instead, so a WebSocket message from the creator is skipped.
 */
import { matchEndpoint } from "../shared/endpoints";
import { isObject, type CaptureMessage, type CaptureSource, type JsonObject } from "../shared/protocol";
import { normalizeId, type AgentDb, type RecordKey, type StoredMessage } from "./db";
import { newRef, outboxEntry } from "./outbox";

/** At most this many chats per `chat_update` frame (the contract's limit)… */
export const MAX_CHATS_PER_FRAME = 1000;
/** …and at most about this many bytes of them, far below any gateway's `maxFrameBytes`. */
const CHAT_UPDATE_BYTES = 512 * 1024;

export interface MessageEffect {
  chatId: RecordKey;
  message: JsonObject;
}

export interface Effects {
  me: JsonObject | null;
  chats: JsonObject[];
  users: JsonObject[];
  messages: MessageEffect[];
  readChat: RecordKey | null;
  like: { messageId: RecordKey; liked: boolean } | null;
  deleted: RecordKey | null;
}

function emptyEffects(): Effects {
  return { me: null, chats: [], users: [], messages: [], readChat: null, like: null, deleted: null };
}

function listOf(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  if (isObject(body) && Array.isArray(body.list)) return body.list;
  return [];
}

function idOf(value: unknown): RecordKey | null {
  return isObject(value) ? normalizeId(value.id) : null;
}

/** What one capture means for the local store. `creatorId`: the tab's account, if known. */
export function interpret(capture: CaptureMessage, creatorId: RecordKey | null): Effects {
  const effects = emptyEffects();
  if (capture.event === "websocket") {
    const { direction, frame } = capture.data;
    if (direction !== "in" || !isObject(frame) || !isObject(frame.api2_chat_message)) {
      return effects;
    }
    const message = frame.api2_chat_message;
    const sender = isObject(message.fromUser) ? normalizeId(message.fromUser.id) : null;
    if (sender === null || idOf(message) === null) return effects;
    if (creatorId === null || sender === creatorId) return effects; // the POST capture covers it
    effects.messages.push({ chatId: sender, message });
    return effects;
  }

  const { url, method, status, responseBody } = capture.data;
  if (status < 200 || status >= 300) return effects;
  const match = matchEndpoint(method, url);
  if (!match) return effects;
  const urlId = match.id === null ? null : normalizeId(match.id);
  switch (match.endpoint) {
    case "me":
      if (idOf(responseBody) !== null) effects.me = responseBody as JsonObject;
      break;
    case "chat_list":
      for (const chat of listOf(responseBody)) {
        if (!isObject(chat) || idOf(chat.withUser) === null) continue;
        effects.chats.push(chat);
        const chatId = idOf(chat.withUser);
        if (chatId !== null && isObject(chat.lastMessage) && idOf(chat.lastMessage) !== null) {
          effects.messages.push({ chatId, message: chat.lastMessage });
        }
      }
      break;
    case "messages": {
      if (urlId === null) break;
      const found = method === "POST" ? [responseBody] : listOf(responseBody);
      for (const message of found) {
        if (isObject(message) && idOf(message) !== null) {
          effects.messages.push({ chatId: urlId, message });
        }
      }
      break;
    }
    case "users_list": {
      const users = isObject(responseBody) && !Array.isArray(responseBody.list)
        ? Object.values(responseBody)
        : listOf(responseBody);
      for (const user of users) if (isObject(user) && idOf(user) !== null) effects.users.push(user);
      break;
    }
    case "mark_as_read":
      if (method === "POST") effects.readChat = urlId;
      break;
    case "message_like":
      if (urlId !== null) effects.like = { messageId: urlId, liked: method === "POST" };
      break;
    case "message_delete":
      effects.deleted = urlId;
      break;
  }
  return effects;
}

/** `incoming` laid over `existing`: nested objects merge (a `{id,_view}` stub does not erase a
 * full user seen earlier), everything else is replaced. Neither argument is changed. */
export function mergeRecord(existing: JsonObject | undefined, incoming: JsonObject): JsonObject {
  if (!existing) return { ...incoming };
  const out: JsonObject = { ...existing };
  for (const [key, value] of Object.entries(incoming)) {
    const before = out[key];
    out[key] = isObject(before) && isObject(value) ? mergeRecord(before, value) : value;
  }
  return out;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export interface ApplyResult {
  chats: number;
  messages: number;
  queued: number;
}

/** `chats` cut into `chat_update` payloads of at most 1000 chats and ~512 KiB each. */
export function chatUpdateBatches(chats: readonly JsonObject[]): JsonObject[][] {
  const batches: JsonObject[][] = [];
  let current: JsonObject[] = [];
  let bytes = 0;
  for (const chat of chats) {
    const size = JSON.stringify(chat).length + 1;
    if (current.length > 0 && (current.length >= MAX_CHATS_PER_FRAME || bytes + size > CHAT_UPDATE_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(chat);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Store `effects` in one transaction; queue a `new_raw_message` per new or changed message. */
export async function applyEffects(
  db: AgentDb,
  effects: Effects,
  source: CaptureSource,
  now = Date.now(),
): Promise<ApplyResult> {
  const result: ApplyResult = { chats: 0, messages: 0, queued: 0 };
  const tx = db.transaction(["chats", "messages", "outbox", "meta"], "readwrite");
  const chats = tx.objectStore("chats");
  const messages = tx.objectStore("messages");
  const outbox = tx.objectStore("outbox");

  const saveMessage = async (key: RecordKey, next: StoredMessage, before?: StoredMessage) => {
    if (before && same(before, next)) return;
    await messages.put(next, key);
    result.messages += 1;
    const ref = newRef("m");
    const payload = { chatId: next.chatId, source, message: next };
    await outbox.add(outboxEntry({ type: "new_raw_message", ref, payload }, now));
    result.queued += 1;
  };

  // Chat records changed by this capture, in first-change order, each at its final state.
  const changedChats = new Map<RecordKey, JsonObject>();
  const saveChat = async (key: RecordKey, next: JsonObject, before?: JsonObject) => {
    if (before && same(before, next)) return;
    await chats.put(next, key);
    changedChats.set(key, next);
  };

  if (effects.me) await tx.objectStore("meta").put(effects.me, "me");
  for (const chat of effects.chats) {
    const key = idOf(chat.withUser);
    if (key === null) continue;
    const before = changedChats.get(key) ?? (await chats.get(key));
    await saveChat(key, mergeRecord(before, chat), before);
  }
  for (const user of effects.users) {
    const key = idOf(user);
    const before = key === null ? undefined : (changedChats.get(key) ?? (await chats.get(key)));
    if (key === null || !before) continue;
    const withUser = isObject(before.withUser) ? before.withUser : {};
    await saveChat(key, { ...before, withUser: mergeRecord(withUser, user) }, before);
  }
  if (effects.readChat !== null) {
    const before = changedChats.get(effects.readChat) ?? (await chats.get(effects.readChat));
    if (before && before.unreadMessagesCount !== 0) {
      await saveChat(effects.readChat, { ...before, unreadMessagesCount: 0 }, before);
    }
  }
  result.chats = changedChats.size;
  // Chats first: the Brain then knows a new chat before its messages.
  for (const batch of chatUpdateBatches([...changedChats.values()])) {
    await outbox.add(outboxEntry({ type: "chat_update", ref: newRef("c"), payload: { chats: batch } }, now));
    result.queued += 1;
  }
  for (const { chatId, message } of effects.messages) {
    const key = idOf(message);
    if (key === null) continue;
    const before = await messages.get(key);
    const next = { ...mergeRecord(before, message), chatId } as StoredMessage;
    await saveMessage(key, next, before);
  }
  if (effects.like) {
    const before = await messages.get(effects.like.messageId);
    if (before && before.isLiked !== effects.like.liked) {
      await saveMessage(effects.like.messageId, { ...before, isLiked: effects.like.liked }, before);
    }
  }
  if (effects.deleted !== null) {
    const before = await messages.get(effects.deleted);
    if (before && before.isDeleted !== true) {
      const next = { ...before, isDeleted: true, deletedAt: new Date(now).toISOString() };
      await saveMessage(effects.deleted, next, before);
    }
  }
  await tx.done;
  return result;
}
