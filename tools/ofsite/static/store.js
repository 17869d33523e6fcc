// ---------------------------------------------------------------- the store
//
// The real page is a Vue 2 app whose root element carries `__vue__`, with a Vuex store at
// `__vue__.$store`. This stand-in has only `dispatch(type, payload)`, returning a Promise.
// Each action issues exactly one request through the page's own signed apiFetch/apiXhr (so
// whatever wraps fetch or XHR sees it; the caller never signs anything) and commits what it
// got into the app's state. A non-2xx answer rejects with an ApiError {status, retryAfter,
// body}; a bad payload or an unknown action rejects with status 0 and sends nothing.

function isId(value) {
  return Number.isSafeInteger(value) && value > 0;
}

function refused(message) {
  return new ApiError(0, null, null, message);
}

const storeActions = {
  // payload {offset}: GET /chats?limit=10&offset=…&order=recent&skip_users=all (fetch).
  async "chats/fetchChats"(payload) {
    const offset = payload.offset === undefined ? 0 : payload.offset;
    if (!Number.isSafeInteger(offset) || offset < 0) throw refused("offset: an integer >= 0");
    const page = await apiFetch(chatsUrl(offset));
    mergeChatsPage(offset, page);
    renderChatList();
    return page;
  },

  // payload {ids}: GET /users/list?m[]=… for exactly those ids, at most 100 (fetch).
  async "users/fetchUsers"(payload) {
    const ids = payload.ids;
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > USERS_MAX || !ids.every(isId)) {
      throw refused(`ids: 1 to ${USERS_MAX} user ids`);
    }
    const users = await apiFetch(usersUrl(ids));
    rememberUsers(users);
    renderChatList();
    showChatTitle();
    return users;
  },

  // payload {chatId, id?}: one history page, newest first, older than `id` (XMLHttpRequest).
  // What the open chat shows does not change.
  async "chats/fetchMessages"(payload) {
    const { chatId, id } = payload;
    if (!isId(chatId)) throw refused("chatId: a user id");
    if (id !== undefined && id !== null && !isId(id)) throw refused("id: a message id");
    return apiXhr(messagesUrl(chatId, id));
  },
};

function dispatch(type, payload) {
  const own = Object.prototype.hasOwnProperty.call(storeActions, type);
  if (!own) return Promise.reject(refused(`unknown action ${type}`));
  return Promise.resolve().then(() => storeActions[type](payload || {}));
}

function installStore() {
  ui.app.__vue__ = { $store: { dispatch } };
}
