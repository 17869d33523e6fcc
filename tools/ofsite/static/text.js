// ---------------------------------------------------------------- text and DOM helpers

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
