/**
 * The fields that may leave the page, per object shape. Everything else is dropped.
 *
 * The list is what the Brain's normalization reads (the msgspec Structs of
 * `services/ingest/onlyfans_types.py`: `UserRaw`, `MediaRaw`, `MessageRaw`, `ChatRaw`;
 * `tests/security/test_allowlist_fields.py` keeps the two in step) plus what the extension
 * itself uses: ids, `isLiked`, page cursors (`list`, `hasMore`, `nextOffset`), the unread
 * counters, media ids, the text of the creator's own send (to recognise it) and an error's
 * message (to report why a send failed). A field the Brain starts to read later needs a new
 * extension; that is the price of never forwarding what nobody asked for (a new credential
 * the site adds tomorrow included).
 */

/** How one field's value is kept: a primitive, a URL (no query), a text (URLs cut), ids, or
 * an object of a shape (`one`) or a list of them (`many`). */
export type Rule =
  | "value"
  | "url"
  | "text"
  | "ids"
  | { one: Shape }
  | { many: Shape };
export type Shape = { readonly [field: string]: Rule };

export const USER: Shape = { id: "value", name: "text", username: "text", avatar: "url" };

export const MEDIA: Shape = { id: "value", type: "value" };

export const MESSAGE: Shape = {
  id: "value",
  fromUser: { one: USER },
  chatId: "value",
  text: "text",
  price: "value",
  isFree: "value",
  isTip: "value",
  mediaCount: "value",
  media: { many: MEDIA },
  isOpened: "value",
  isOpen: "value",
  canPurchase: "value",
  isFromQueue: "value",
  createdAt: "value",
  changedAt: "value",
  isDeleted: "value",
  deletedAt: "value",
  isLiked: "value",
};

export const CHAT: Shape = {
  withUser: { one: USER },
  lastMessage: { one: MESSAGE },
  unreadMessagesCount: "value",
  lastReadMessageId: "value",
  hasPurchasedFeed: "value",
  countPinnedMessages: "value",
  hasUnreadTips: "value",
  canSendMessage: "value",
  isMutedNotifications: "value",
};

/** A page of a list endpoint (`/chats`, `/chats/<id>/messages`, `/users/list`). */
export const pageOf = (item: Shape): Shape => ({ list: { many: item }, hasMore: "value", nextOffset: "value" });

/** The body of the creator's own send (`POST /chats/<id>/messages`): what the executor
 * compares with the command it typed. */
export const SEND: Shape = { text: "text", price: "value", lockedText: "value", mediaFiles: "ids", previews: "ids" };

/** An error answer: why a send failed. */
export const ERROR: Shape = { error: { one: { code: "value", message: "text" } } };

/** The WebSocket's unread counters frame (it has no wrapper key). */
export const COUNTERS: Shape = { chat_messages: "value", count_priority_chat: "value", unread_tips: "value" };

/** Incoming socket frames: a chat message, or the counters. */
export const FRAME_IN: Shape = { api2_chat_message: { one: MESSAGE }, ...COUNTERS };

/** Outgoing socket frames (typing, …); never the connect frame's `token`. */
export const FRAME_OUT: Shape = { act: "value", typing_to: "value" };

/** Query parameters of an API URL the extension reads back (the backfill's cursors). */
export const API_PARAMS: ReadonlySet<string> = new Set([
  "limit",
  "offset",
  "order",
  "skip_users",
  "skip_users_dups",
  "id",
  "firstId",
  "m[]",
  "m",
  "filter",
  "list_id",
]);
