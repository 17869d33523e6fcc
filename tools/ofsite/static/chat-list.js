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

function rememberUsers(users) {
  for (const user of Object.values(users || {})) {
    if (user && user.id !== undefined) state.users.set(user.id, user);
  }
}

// Full users for `ids`: only the unknown ones, or all of them when `refresh` (renamed fans).
async function loadUsers(ids, refresh = false) {
  const wanted = [...new Set(ids)].filter((id) => refresh || !state.users.has(id));
  for (let at = 0; at < wanted.length; at += USERS_MAX) {
    rememberUsers(await apiFetch(usersUrl(wanted.slice(at, at + USERS_MAX))));
  }
}

// A list page into the list state. The list counts as loaded up to `nextOffset` only when the
// page continues what was loaded; a page fetched out of order just adds its chats.
function mergeChatsPage(offset, page) {
  for (const chat of page.list) rememberChat(chat, false);
  if (offset === state.chatsOffset) {
    state.chatsOffset = page.nextOffset;
    state.chatsHasMore = page.hasMore;
  }
}

// The next page of the list and its users: the first at start, then one per scroll to the end.
async function loadNextChats() {
  if (state.chatsLoading || !state.chatsHasMore) return;
  state.chatsLoading = true;
  ui.listLoading.hidden = false;
  ui.listLoading.textContent = "Loading chats…";
  try {
    const offset = state.chatsOffset;
    const page = await apiFetch(chatsUrl(offset));
    mergeChatsPage(offset, page);
    await loadUsers(page.list.map((chat) => chat.withUser.id));
    ui.listLoading.hidden = true;
  } catch (err) {
    ui.listLoading.textContent = "Could not load chats (" + err.message + ")";
  } finally {
    state.chatsLoading = false;
    renderChatList();
  }
}

function atListEnd() {
  const box = ui.conversations;
  return box.scrollTop + box.clientHeight >= box.scrollHeight - LIST_END_PX;
}

function onListScroll() {
  if (atListEnd()) loadNextChats();
}

function onListWheel(event) {
  // A list too short to scroll gets no scroll events; a wheel down at its end asks for more.
  if (event.deltaY > 0 && atListEnd()) loadNextChats();
}

// An unread-counters frame: one refresh of the first page and its users per burst of frames.
function onCountersFrame(frame) {
  setCounters(frame);
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(refreshFirstPage, COUNTERS_REFRESH_MS);
}

async function refreshFirstPage() {
  state.refreshTimer = null;
  try {
    const page = await apiFetch(chatsUrl(0));
    for (const chat of [...page.list].reverse()) rememberChat(chat, true);
    if (state.chatsOffset === 0) mergeChatsPage(0, page);
    const ids = page.list.map((chat) => chat.withUser.id);
    if (ids.length > 0) await loadUsers(ids, true);
  } catch (err) {
    console.error("ofsite: refreshing the chat list failed", err);
  }
  renderChatList();
  showChatTitle();
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

// One node per chat, rebuilt only when what it shows changed (a backfill merges thousands).
const renderedChats = new Map(); // fanId -> {key, node}

function chatNode(fanId) {
  const chat = state.chats.get(fanId);
  const last = chat.lastMessage;
  const current = Boolean(state.current && state.current.fanId === fanId);
  const key = [userName(fanId), last ? last.id : 0, chat.unreadMessagesCount, current].join("|");
  const known = renderedChats.get(fanId);
  if (known && known.key === key) return known.node;
  const node = chatItem(chat);
  renderedChats.set(fanId, { key, node });
  return node;
}

function renderChatList() {
  if (!state.me) return; // items tell the creator's own last messages apart
  const nodes = state.order.map(chatNode);
  const shown = Array.from(ui.list.children);
  const sameOrder =
    shown.length <= nodes.length &&
    shown.every((node, at) => node.dataset.id === String(state.order[at]));
  if (!sameOrder) {
    ui.list.replaceChildren(...nodes);
    return;
  }
  shown.forEach((node, at) => {
    if (node !== nodes[at]) node.replaceWith(nodes[at]);
  });
  if (nodes.length > shown.length) ui.list.append(...nodes.slice(shown.length));
}

function setCounters(frame) {
  const unread = frame.chat_messages || 0;
  ui.unread.hidden = unread === 0;
  ui.unread.textContent = String(unread);
}
