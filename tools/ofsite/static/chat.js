// ---------------------------------------------------------------- the open chat

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
  try {
    const page = await apiXhr(messagesUrl(chat.fanId, chat.oldestId));
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

function showChatTitle() {
  if (!state.current) return;
  const fanId = state.current.fanId;
  const user = state.users.get(fanId);
  ui.title.textContent = userName(fanId);
  ui.username.textContent = user ? "@" + user.username : "";
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
  showChatTitle();
  await loadOlderMessages();
  await markRead(fanId);
}
