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
