/*
 * ofsite: a small stand-in for the OnlyFans creator chat page (tools/ofsite/README.md).
 *
 * Vanilla JS, no framework, no build step: the server concatenates the files of
 * tools/ofsite/static (config, api, text, chat-list, chat, composer, socket, store, app, in
 * that order) into one function body served as /app.js, like one webpack bundle, so
 * nothing below is reachable from outside except the `#app.__vue__.$store` stand-in.
 *
 * What matters to the code under test (a browser extension):
 * - every API call is signed here, by the page's own code (SubtleCrypto SHA-1);
 * - window.fetch, XMLHttpRequest and WebSocket are looked up at call time, never cached,
 *   so wrappers installed by an extension before or after this script see every call;
 * - chat lists and users go through fetch, a chat's message pages through XMLHttpRequest;
 * - the chat list loads its first page at start and the next only when scrolled to the end;
 *   an unread-counters frame refreshes the first page and its users; nothing polls;
 * - the composer tracks its text from `input` events, like the TipTap editor.
 */

// The bundle's static values (filled in by the server for this run).
const CONFIG = __OFSITE_CONFIG__;
const API = "/api2/v2";
const CHATS_PAGE = 10; // the chat list's page size (of-traffic.md: limit=10)
const MESSAGES_PAGE = 10; // a chat's history page size: not known for the real site
const USERS_MAX = 100; // most ids one /users/list request may carry (a guess)
const COUNTERS_REFRESH_MS = 500; // one list refresh for a burst of counters frames
const LIST_END_PX = 40; // "scrolled to the bottom" within this many pixels
const HEARTBEAT_MS = 20000;
const TYPING_EVERY_MS = 2500;
const MIN_PRICE = 3;
const MAX_PRICE = 200;

const state = {
  me: null,
  chats: new Map(), // fanId -> chat list item (as /chats returns it)
  order: [], // fanIds, most recent first
  users: new Map(), // userId -> full user (from /users/list or a socket frame)
  chatsOffset: 0, // the list is loaded up to here (nextOffset of the last page in a row)
  chatsHasMore: true,
  chatsLoading: false,
  refreshTimer: null,
  current: null, // the open chat: {fanId, oldestId, hasMore, loading}
  draft: "", // the editor's text, from input events only
  price: 0,
  sending: false,
  socket: null,
  heartbeat: null,
  lastTyping: 0,
};

const $ = (selector) => document.querySelector(selector);
const ui = {
  app: $("#app"),
  userName: $(".l-header__user"),
  unread: $(".l-header__unread"),
  socket: $(".l-header__socket"),
  conversations: $(".b-chats__conversations"),
  list: $(".b-chats__list-dialogues"),
  listLoading: $(".b-chats__loading"),
  chat: $(".b-chat"),
  empty: $(".b-chats__empty"),
  title: $(".b-chat__header__title"),
  username: $(".b-chat__header__username"),
  wrapper: $(".b-chat__messages-wrapper"),
  messages: $(".b-chat__messages"),
  form: $("#make_post_form"),
  editor: $('[at-attr="message_input"]'),
  send: $('[at-attr="send_btn"]'),
  priceBtn: $('[at-attr="price_btn"]'),
  priceTag: $('[at-attr="msg_price"]'),
  priceClear: $(".b-make-post__price-clear"),
  error: $(".b-make-post__error"),
  modal: $("#ModalPostPrice"),
  priceInput: $("#priceInput"),
  priceError: $("#ModalPostPrice .modal-error"),
  priceSave: $('[at-attr="price_save"]'),
  priceCancel: $('[at-attr="price_cancel"]'),
};
