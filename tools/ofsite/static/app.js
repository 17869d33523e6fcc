// ---------------------------------------------------------------- start

async function start() {
  installStore();
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
  ui.conversations.addEventListener("scroll", onListScroll, { passive: true });
  ui.conversations.addEventListener("wheel", onListWheel, { passive: true });

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
  await loadNextChats(); // the first page only; more when the list is scrolled to its end
}

start();
