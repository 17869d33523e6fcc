/*
 * ofsite: a small stand-in for the OnlyFans creator chat page (tools/ofsite/README.md).
 *
 * Vanilla JS, no framework. What matters to the code under test (a browser extension):
 * - every API call is signed here, by the page's own code (SubtleCrypto SHA-1);
 * - window.fetch, XMLHttpRequest and WebSocket are looked up at call time, never cached,
 *   so wrappers installed by an extension before or after this script see every call;
 * - chat lists and users go through fetch, a chat's message pages through XMLHttpRequest;
 * - the composer tracks its text from `input` events, like the TipTap editor.
 */
(function () {
  "use strict";

  // The bundle's static values (filled in by the server for this run).
  const CONFIG = __OFSITE_CONFIG__;
  const API = "/api2/v2";
  const CHATS_PAGE = 10;
  const MESSAGES_PAGE = 10;
  const HEARTBEAT_MS = 20000;
  const TYPING_EVERY_MS = 2500;
  const MIN_PRICE = 3;
  const MAX_PRICE = 200;

  const state = {
    me: null,
    chats: new Map(), // fanId -> chat list item (as /chats returns it)
    order: [], // fanIds, most recent first
    users: new Map(), // userId -> full user (from /users/list or a socket frame)
    chatsOffset: 0,
    chatsHasMore: true,
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
    userName: $(".l-header__user"),
    unread: $(".l-header__unread"),
    socket: $(".l-header__socket"),
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

  // ---------------------------------------------------------------- signing and requests

  function bcToken() {
    // OnlyFans keeps this fingerprint in localStorage and sends it as x-bc.
    let value = localStorage.getItem("bcTokenSha");
    if (value !== CONFIG.xbc) {
      localStorage.setItem("bcTokenSha", CONFIG.xbc);
      value = CONFIG.xbc;
    }
    return value;
  }

  async function sha1Hex(text) {
    const bytes = new TextEncoder().encode(text);
    if (!window.crypto || !window.crypto.subtle) return sha1HexFallback(bytes); // not secure
    const digest = await crypto.subtle.digest("SHA-1", bytes);
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // Plain SHA-1 (FIPS 180-4), only for a page that SubtleCrypto refuses (no secure context).
  function sha1HexFallback(bytes) {
    const length = bytes.length;
    const blocks = ((length + 8) >> 6) + 1;
    const words = new Uint32Array(blocks * 16);
    for (let i = 0; i < length; i++) words[i >> 2] |= bytes[i] << (24 - (i % 4) * 8);
    words[length >> 2] |= 0x80 << (24 - (length % 4) * 8);
    words[blocks * 16 - 1] = length * 8;
    const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
    const w = new Uint32Array(80);
    const rotl = (x, n) => (x << n) | (x >>> (32 - n));
    for (let block = 0; block < blocks; block++) {
      for (let t = 0; t < 80; t++) {
        if (t < 16) w[t] = words[block * 16 + t];
        else w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
      }
      let [a, b, c, d, e] = h;
      for (let t = 0; t < 80; t++) {
        let f, k;
        if (t < 20) [f, k] = [(b & c) | (~b & d), 0x5a827999];
        else if (t < 40) [f, k] = [b ^ c ^ d, 0x6ed9eba1];
        else if (t < 60) [f, k] = [(b & c) | (b & d) | (c & d), 0x8f1bbcdc];
        else [f, k] = [b ^ c ^ d, 0xca62c1d6];
        const temp = (rotl(a, 5) + f + e + k + w[t]) >>> 0;
        [e, d, c, b, a] = [d, c, rotl(b, 30) >>> 0, a, temp];
      }
      h[0] = (h[0] + a) >>> 0;
      h[1] = (h[1] + b) >>> 0;
      h[2] = (h[2] + c) >>> 0;
      h[3] = (h[3] + d) >>> 0;
      h[4] = (h[4] + e) >>> 0;
    }
    return h.map((x) => x.toString(16).padStart(8, "0")).join("");
  }

  async function signedHeaders(url) {
    const target = new URL(url, location.origin);
    const time = String(Date.now());
    const userId = String(CONFIG.userId);
    const payload = [CONFIG.signSecret, time, target.pathname + target.search, userId];
    return {
      accept: "application/json, text/plain, */*",
      "app-token": CONFIG.appToken,
      sign: await sha1Hex(payload.join("\n")),
      time: time,
      "user-id": userId,
      "x-bc": bcToken(),
    };
  }

  class ApiError extends Error {
    constructor(status, body) {
      const detail = body && body.error && body.error.message;
      super(`HTTP ${status}${detail ? ": " + detail : ""}`);
      this.status = status;
      this.body = body;
    }
  }

  function parseJson(text) {
    if (!text) return null;
    try {
      return JSON.parse(text);
    } catch (err) {
      return null;
    }
  }

  async function apiFetch(url, options = {}) {
    const headers = await signedHeaders(url);
    const init = { method: options.method || "GET", headers, credentials: "same-origin" };
    if (options.body !== undefined) {
      headers["content-type"] = "application/json";
      init.body = JSON.stringify(options.body);
    }
    // window.fetch at call time: an extension's wrapper must see this request.
    const response = await window.fetch(url, init);
    const body = parseJson(await response.text());
    if (!response.ok) throw new ApiError(response.status, body);
    return body;
  }

  async function apiXhr(url) {
    const headers = await signedHeaders(url);
    return new Promise((resolve, reject) => {
      // new window.XMLHttpRequest at call time, for the same reason as fetch.
      const xhr = new window.XMLHttpRequest();
      xhr.open("GET", url);
      xhr.responseType = "text";
      xhr.withCredentials = true;
      for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
      xhr.onload = () => {
        const body = parseJson(xhr.responseText);
        if (xhr.status >= 200 && xhr.status < 300) resolve(body);
        else reject(new ApiError(xhr.status, body));
      };
      xhr.onerror = () => reject(new ApiError(0, null));
      xhr.send();
    });
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // ---------------------------------------------------------------- text helpers

  function htmlToText(html) {
    if (!html) return "";
    const lines = html.replace(/<br\s*\/?>/gi, "\n").replace(/<\/p>\s*<p>/gi, "\n");
    return new DOMParser().parseFromString(lines, "text/html").body.textContent || "";
  }

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function textToHtml(text) {
    // The web app sends the editor's paragraphs as <p>…</p>, line breaks as <br>.
    return text
      .split(/\n{2,}/)
      .map((para) => "<p>" + escapeHtml(para).replace(/\n/g, "<br>") + "</p>")
      .join("");
  }

  function money(amount) {
    return "$" + Number(amount).toFixed(2);
  }

  function clock(iso) {
    const when = new Date(iso);
    return isNaN(when) ? "" : when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function userName(id) {
    const user = state.users.get(id);
    return user ? user.name || user.username : "u" + id;
  }

  // ---------------------------------------------------------------- chat list

  function rememberChat(chat, toFront) {
    const fanId = chat.withUser.id;
    const known = state.chats.get(fanId);
    state.chats.set(fanId, known ? Object.assign(known, chat) : chat);
    const at = state.order.indexOf(fanId);
    if (toFront) {
      if (at >= 0) state.order.splice(at, 1);
      state.order.unshift(fanId);
    } else if (at < 0) {
      state.order.push(fanId);
    }
  }

  async function loadUsers(ids) {
    const missing = [...new Set(ids)].filter((id) => !state.users.has(id));
    if (missing.length === 0) return;
    const query = missing.map((id) => "m[]=" + encodeURIComponent(id)).join("&");
    const users = await apiFetch(`${API}/users/list?${query}`);
    for (const user of Object.values(users || {})) state.users.set(user.id, user);
  }

  async function loadChatsPage() {
    const url =
      `${API}/chats?limit=${CHATS_PAGE}&offset=${state.chatsOffset}` +
      "&order=recent&skip_users=all";
    const page = await apiFetch(url);
    for (const chat of page.list) rememberChat(chat, false);
    state.chatsOffset = page.nextOffset;
    state.chatsHasMore = page.hasMore;
    await loadUsers(page.list.map((chat) => chat.withUser.id));
    renderChatList();
  }

  async function loadAllChats() {
    while (state.chatsHasMore) {
      await loadChatsPage();
      if (state.chatsHasMore) await sleep(300); // paced, like careful clients
    }
    ui.listLoading.hidden = true;
  }

  function chatItem(chat) {
    const fanId = chat.withUser.id;
    const item = el("div", "b-chats__item");
    item.setAttribute("role", "listitem");
    item.dataset.id = fanId;
    if (state.current && state.current.fanId === fanId) item.classList.add("m-current");
    const link = el("a", "b-chats__item__link");
    link.href = `/my/chats/chat/${fanId}/`;
    link.append(el("span", "b-chats__item__name g-user-name", userName(fanId)));
    const last = chat.lastMessage;
    if (last) {
      const mine = last.fromUser && last.fromUser.id === state.me.id;
      const preview = last.isTip ? `Tip ${money(last.price)}` : htmlToText(last.text);
      link.append(el("span", "b-chats__item__last-message", (mine ? "You: " : "") + preview));
      link.append(el("span", "b-chats__item__time", clock(last.createdAt)));
    }
    if (chat.unreadMessagesCount > 0) {
      link.append(el("span", "b-chats__item__uncount", String(chat.unreadMessagesCount)));
    }
    item.append(link);
    return item;
  }

  function renderChatList() {
    const items = state.order.map((fanId) => chatItem(state.chats.get(fanId)));
    ui.list.replaceChildren(...items);
  }

  function setCounters(frame) {
    const unread = frame.chat_messages || 0;
    ui.unread.hidden = unread === 0;
    ui.unread.textContent = String(unread);
  }

  // ---------------------------------------------------------------- messages

  function messageNode(message) {
    const fromMe = Boolean(message.fromUser && message.fromUser.id === state.me.id);
    const item = el("div", "b-chat__item-message");
    item.dataset.id = message.id;
    const bubble = el("div", "b-chat__message");
    if (fromMe) {
      item.classList.add("m-from-me");
      bubble.classList.add("m-from-me");
    }
    if (message.isTip) bubble.classList.add("m-tip");
    const paid = message.price > 0 && !message.isTip && !message.isFree;
    if (paid) {
      const bought = message.canPurchaseReason === "opened";
      bubble.classList.add(bought ? "m-purchase" : "m-not-paid-yet");
    }
    const text = htmlToText(message.text);
    if (text) bubble.append(el("div", "b-chat__message__text-holder", text));
    if (message.mediaCount > 0) {
      const kinds = (message.media || []).map((m) => m.type).join(", ");
      bubble.append(el("div", "b-chat__message__media", `${message.mediaCount} media: ${kinds}`));
    }
    if (message.isTip) {
      bubble.append(el("div", "b-chat__message__tip", `Tipped ${money(message.price)}`));
    }
    if (paid) bubble.append(el("div", "b-chat__message__price", money(message.price)));
    bubble.append(el("span", "b-chat__message__time", clock(message.createdAt)));
    item.append(bubble);
    return item;
  }

  function hasBubble(id) {
    return ui.messages.querySelector(`.b-chat__item-message[data-id="${id}"]`) !== null;
  }

  function appendMessage(message) {
    if (hasBubble(message.id)) return;
    ui.messages.append(messageNode(message));
    ui.wrapper.scrollTop = ui.wrapper.scrollHeight;
  }

  async function loadOlderMessages() {
    const chat = state.current;
    if (!chat || !chat.hasMore || chat.loading) return;
    chat.loading = true;
    let url = `${API}/chats/${chat.fanId}/messages?limit=${MESSAGES_PAGE}`;
    url += "&order=desc&skip_users=all";
    if (chat.oldestId !== null) url += `&id=${chat.oldestId}`; // older than the last page
    try {
      const page = await apiXhr(url);
      if (state.current !== chat) return; // the user moved on meanwhile
      const first = chat.oldestId === null;
      const height = ui.wrapper.scrollHeight;
      const nodes = page.list
        .filter((message) => !hasBubble(message.id))
        .reverse() // the page is newest first
        .map(messageNode);
      ui.messages.prepend(...nodes);
      if (page.list.length > 0) chat.oldestId = page.list[page.list.length - 1].id;
      chat.hasMore = page.hasMore;
      ui.wrapper.scrollTop = first ? ui.wrapper.scrollHeight : ui.wrapper.scrollHeight - height;
    } catch (err) {
      console.error("ofsite: loading messages failed", err);
      if (state.current === chat) chat.hasMore = false;
    } finally {
      chat.loading = false;
    }
    // Keep loading while the wrapper cannot scroll yet, like an infinite list would.
    const full = ui.wrapper.scrollHeight > ui.wrapper.clientHeight;
    if (state.current === chat && chat.hasMore && !full) await loadOlderMessages();
  }

  async function markRead(fanId, always = false) {
    const chat = state.chats.get(fanId);
    if (!chat || (chat.unreadMessagesCount === 0 && !always)) return;
    try {
      await apiFetch(`${API}/chats/${fanId}/mark-as-read`, { method: "POST" });
      chat.unreadMessagesCount = 0;
      chat.hasUnreadTips = false;
      renderChatList();
    } catch (err) {
      console.error("ofsite: mark-as-read failed", err);
    }
  }

  // ---------------------------------------------------------------- routing

  function route() {
    const match = location.pathname.match(/^\/my\/chats\/chat\/(\d+)\/?$/);
    if (match) openChat(Number(match[1]));
    else closeChat();
  }

  function navigate(path) {
    if (path !== location.pathname) history.pushState({}, "", path);
    route();
  }

  function onLinkClick(event) {
    const link = event.target.closest("a[href]");
    if (!link || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const url = new URL(link.href, location.href);
    if (url.origin !== location.origin || !url.pathname.startsWith("/my/chats/")) return;
    event.preventDefault(); // client-side routing, as the Vue router does
    navigate(url.pathname);
  }

  function closeChat() {
    state.current = null;
    ui.chat.hidden = true;
    ui.empty.hidden = false;
    renderChatList();
  }

  async function openChat(fanId) {
    if (state.current && state.current.fanId === fanId) return;
    state.current = { fanId, oldestId: null, hasMore: true, loading: false };
    ui.chat.hidden = false;
    ui.empty.hidden = true;
    ui.messages.replaceChildren();
    clearComposer();
    renderChatList();
    try {
      await loadUsers([fanId]);
    } catch (err) {
      console.error("ofsite: loading the user failed", err);
    }
    const user = state.users.get(fanId);
    ui.title.textContent = userName(fanId);
    ui.username.textContent = user ? "@" + user.username : "";
    await loadOlderMessages();
    await markRead(fanId);
  }

  // ---------------------------------------------------------------- composer

  function editorText() {
    return ui.editor.innerText.replace(/\u00a0/g, " ").replace(/\n{3,}/g, "\n\n").trim();
  }

  function updateSendButton() {
    ui.send.disabled = state.draft === "" || state.sending || !state.current;
  }

  function showError(text) {
    ui.error.hidden = !text;
    ui.error.textContent = text || "";
  }

  function setPrice(amount) {
    state.price = amount;
    ui.priceTag.hidden = amount === 0;
    ui.priceClear.hidden = amount === 0;
    ui.priceTag.textContent = amount ? money(amount) : "";
  }

  function clearComposer() {
    ui.editor.replaceChildren(); // programmatic: no input event, so reset the state too
    state.draft = "";
    setPrice(0);
    showError("");
    updateSendButton();
  }

  function onEditorInput() {
    state.draft = editorText();
    updateSendButton();
    const now = Date.now();
    const socket = state.socket;
    const open = socket && socket.readyState === 1;
    if (state.current && open && now - state.lastTyping > TYPING_EVERY_MS) {
      state.lastTyping = now;
      socket.send(JSON.stringify({ act: "typing", typing_to: state.current.fanId }));
    }
  }

  async function sendMessage() {
    const chat = state.current;
    if (!chat || state.draft === "" || state.sending) return;
    state.sending = true;
    updateSendButton();
    showError("");
    const body = {
      text: textToHtml(state.draft),
      lockedText: false,
      mediaFiles: [],
      price: state.price,
      previews: [],
      rfTag: [],
      rfGuest: [],
      rfPartner: [],
      isForward: false,
    };
    try {
      const url = `${API}/chats/${chat.fanId}/messages`;
      const message = await apiFetch(url, { method: "POST", body });
      if (state.current === chat) {
        clearComposer();
        appendMessage(message);
      }
      const listed = state.chats.get(chat.fanId);
      if (listed) {
        listed.lastMessage = message;
        listed.unreadMessagesCount = 0;
        rememberChat(listed, true);
        renderChatList();
      }
    } catch (err) {
      // The text stays in the editor: that is how a failed send looks on the real page.
      showError(err.status === 429 ? "Too many requests, try again later." : "Message not sent.");
    } finally {
      state.sending = false;
      updateSendButton();
    }
  }

  function openPriceModal() {
    ui.priceInput.value = state.price ? String(state.price) : "";
    ui.priceError.hidden = true;
    ui.modal.hidden = false;
    ui.modal.classList.add("show");
    ui.priceInput.focus();
  }

  function closePriceModal() {
    ui.modal.hidden = true;
    ui.modal.classList.remove("show");
  }

  function savePrice() {
    const raw = ui.priceInput.value.trim().replace(",", ".").replace(/^\$/, "");
    const amount = raw === "" ? 0 : Number(raw);
    if (isNaN(amount) || (amount !== 0 && (amount < MIN_PRICE || amount > MAX_PRICE))) {
      ui.priceError.textContent = `Enter an amount from ${money(MIN_PRICE)} to ${money(MAX_PRICE)}`;
      ui.priceError.hidden = false;
      return;
    }
    setPrice(Math.round(amount * 100) / 100);
    closePriceModal();
  }

  // ---------------------------------------------------------------- WebSocket

  function onSocketFrame(frame) {
    if (!frame || typeof frame !== "object") return;
    if (frame.connected) ui.socket.dataset.state = "connected";
    if ("error" in frame) ui.socket.dataset.state = "error";
    if ("chat_messages" in frame) setCounters(frame);
    if (frame.api2_chat_message) onNewMessage(frame.api2_chat_message);
  }

  function onNewMessage(message) {
    const from = message.fromUser || {};
    // The creator's own sends come back without a recipient; the POST reply places them.
    if (from.id === state.me.id) return;
    if (from.name !== undefined) state.users.set(from.id, from);
    const chat = state.chats.get(from.id) || {
      withUser: { id: from.id, _view: "m" },
      unreadMessagesCount: 0,
      hasUnreadTips: false,
    };
    chat.lastMessage = message;
    const open = state.current && state.current.fanId === from.id;
    if (open) {
      appendMessage(message);
    } else {
      chat.unreadMessagesCount = (chat.unreadMessagesCount || 0) + 1;
      chat.hasUnreadTips = chat.hasUnreadTips || Boolean(message.isTip);
    }
    rememberChat(chat, true);
    renderChatList();
    if (open) markRead(from.id, true); // the creator is looking at it
  }

  function connectSocket() {
    // new window.WebSocket at call time: an extension's wrapper must see this socket.
    const socket = new window.WebSocket(state.me.wsUrl);
    state.socket = socket;
    ui.socket.dataset.state = "connecting";
    socket.addEventListener("open", () => {
      socket.send(JSON.stringify({ act: "connect", token: state.me.wsAuthToken }));
    });
    socket.addEventListener("message", (event) => onSocketFrame(parseJson(event.data)));
    socket.addEventListener("close", () => {
      clearInterval(state.heartbeat);
      if (state.socket === socket) state.socket = null;
      ui.socket.dataset.state = "closed";
      setTimeout(connectSocket, 3000);
    });
    clearInterval(state.heartbeat);
    state.heartbeat = setInterval(() => {
      if (socket.readyState === 1) socket.send(JSON.stringify({ act: "get_onlines", ids: [] }));
    }, HEARTBEAT_MS);
  }

  // ---------------------------------------------------------------- start

  async function start() {
    bcToken();
    document.addEventListener("click", onLinkClick);
    window.addEventListener("popstate", route);
    ui.editor.addEventListener("input", onEditorInput);
    ui.form.addEventListener("submit", (event) => {
      event.preventDefault();
      sendMessage();
    });
    ui.priceBtn.addEventListener("click", openPriceModal);
    ui.priceClear.addEventListener("click", () => setPrice(0));
    ui.priceSave.addEventListener("click", savePrice);
    ui.priceCancel.addEventListener("click", closePriceModal);
    ui.priceInput.addEventListener("keydown", (event) => {
      if (event.key === "Enter") savePrice();
      if (event.key === "Escape") closePriceModal();
    });
    ui.wrapper.addEventListener("scroll", () => {
      if (ui.wrapper.scrollTop < 40) loadOlderMessages();
    });

    try {
      state.me = await apiFetch(`${API}/users/me`);
    } catch (err) {
      ui.listLoading.textContent = "Could not load your account (" + err.message + ")";
      return;
    }
    state.users.set(state.me.id, state.me);
    ui.userName.textContent = state.me.name;
    connectSocket();
    route();
    try {
      await loadAllChats();
    } catch (err) {
      ui.listLoading.textContent = "Could not load chats (" + err.message + ")";
    }
  }

  start();
})();
