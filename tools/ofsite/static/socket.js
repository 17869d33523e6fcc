// ---------------------------------------------------------------- WebSocket

function onSocketFrame(frame) {
  if (!frame || typeof frame !== "object") return;
  if (frame.connected) ui.socket.dataset.state = "connected";
  if ("error" in frame) ui.socket.dataset.state = "error";
  if ("chat_messages" in frame) onCountersFrame(frame);
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
