/**
 * A tiny stand-in for OnlyFans' chat page in jsdom: a SPA router (links + popstate), a
 * TipTap-like contenteditable composer driven by `execCommand`, a price dialog and a Send
 * button that makes the page POST through its own `fetch` (which the hook wraps).
 */
import { JSDOM } from "jsdom";

export interface ChatPageOptions {
  chats: number[];
  /** Chats present in the list sidebar (clickable links). */
  linked?: number[];
  /** How the fake server answers a send. */
  respond?: (chatId: number, body: { text: string; price: number }) => { status: number; body: unknown };
  /** When false, Send does nothing (a stuck page). */
  sendWorks?: boolean;
  legacyTextarea?: boolean;
}

export interface ChatPage {
  win: Window & typeof globalThis;
  sends: { chatId: number; body: { text: string; price: number } }[];
  navigations: string[];
}

export function chatPage(options: ChatPageOptions): ChatPage {
  const dom = new JSDOM(
    `<!doctype html><div id="app"><div class="b-chats__list-dialogues"></div><main id="chat"></main></div>`,
    { url: "https://onlyfans.com/my/chats/" },
  );
  const win = dom.window as unknown as Window & typeof globalThis;
  const doc = win.document;
  const page: ChatPage = { win, sends: [], navigations: [] };
  let nextId = 5100000000100;

  // The "native" fetch of this page: the fake OnlyFans API.
  win.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), win.location.href);
    const found = /^\/api2\/v2\/chats\/(\d+)\/messages$/.exec(url.pathname);
    if (found && init?.method === "POST") {
      const chatId = Number(found[1]);
      const body = JSON.parse(String(init.body)) as { text: string; price: number };
      page.sends.push({ chatId, body });
      const reply = options.respond?.(chatId, body) ?? {
        status: 200,
        body: { id: nextId++, text: body.text, price: body.price, fromUser: { id: 300000 } },
      };
      return new Response(JSON.stringify(reply.body), { status: reply.status });
    }
    return new Response("{}", { status: 200 });
  }) as typeof fetch;

  // execCommand as TipTap sees it: selectAll + insertText replaces the editor's content.
  let selectedAll = false;
  doc.execCommand = ((command: string, _ui?: boolean, value?: string) => {
    const el = doc.activeElement as HTMLElement | null;
    if (!el || el.getAttribute("contenteditable") === null) return false;
    if (command === "selectAll") selectedAll = true;
    if (command === "insertText" || command === "delete") {
      const text = command === "insertText" ? (value ?? "") : "";
      if (selectedAll) el.innerHTML = "";
      el.innerHTML += text ? text.split("\n").map((line) => `<p>${line}</p>`).join("") : "";
      selectedAll = false;
      el.dispatchEvent(new win.Event("input", { bubbles: true }));
    }
    return true;
  }) as Document["execCommand"];

  const list = doc.querySelector(".b-chats__list-dialogues") as HTMLElement;
  for (const chatId of options.linked ?? []) {
    const a = doc.createElement("a");
    a.className = "b-chats__item__link";
    a.setAttribute("href", `/my/chats/chat/${chatId}/`);
    a.addEventListener("click", (event) => {
      event.preventDefault();
      win.history.pushState({}, "", `/my/chats/chat/${chatId}/`);
      page.navigations.push(`link:${chatId}`);
      render();
    });
    list.append(a);
  }
  win.addEventListener("popstate", () => {
    page.navigations.push(`popstate:${win.location.pathname}`);
    render();
  });

  let price = 0;
  function render(): void {
    const main = doc.getElementById("chat") as HTMLElement;
    main.innerHTML = "";
    const found = /^\/my\/chats\/chat\/(\d+)\/$/.exec(win.location.pathname);
    if (!found || !options.chats.includes(Number(found[1]))) return;
    const chatId = Number(found[1]);
    price = 0;
    main.innerHTML = `
      <form id="make_post_form"><div class="b-chat__footer">
        ${
          options.legacyTextarea
            ? '<textarea id="new_post_text_input" class="b-chat__message-input"></textarea>'
            : '<div contenteditable="true" class="tiptap ProseMirror b-text-editor js-text-editor" at-attr="message_input"></div>'
        }
        <button type="button" at-attr="price_btn">$</button>
        <span at-attr="msg_price"></span>
        <button type="button" class="b-chat__btn-submit" at-attr="send_btn" disabled>Send</button>
      </div></form>`;
    const editor = main.querySelector('[at-attr="message_input"], #new_post_text_input') as HTMLElement;
    const send = main.querySelector('[at-attr="send_btn"]') as HTMLButtonElement;
    const textOf = () =>
      editor.tagName === "TEXTAREA" ? (editor as HTMLTextAreaElement).value : (editor.textContent ?? "");
    editor.addEventListener("input", () => {
      send.disabled = textOf().trim() === "";
    });
    main.querySelector('[at-attr="price_btn"]')?.addEventListener("click", () => {
      const modal = doc.createElement("div");
      modal.id = "ModalPostPrice";
      modal.innerHTML = `<input id="priceInput" type="text"><button type="button" at-attr="price_save">Save</button>`;
      const input = modal.querySelector("input") as HTMLInputElement;
      let typed = "";
      input.addEventListener("input", () => (typed = input.value));
      modal.querySelector("button")?.addEventListener("click", () => {
        price = Number(typed);
        (main.querySelector('[at-attr="msg_price"]') as HTMLElement).textContent = `$${price}`;
        modal.remove();
      });
      doc.body.append(modal);
    });
    send.addEventListener("click", () => {
      if (send.disabled || options.sendWorks === false) return;
      const html =
        editor.tagName === "TEXTAREA" ? `<p>${(editor as HTMLTextAreaElement).value}</p>` : editor.innerHTML;
      void win
        .fetch(`/api2/v2/chats/${chatId}/messages`, {
          method: "POST",
          body: JSON.stringify({ text: html, lockedText: false, mediaFiles: [], price, previews: [] }),
        })
        .then((response) => {
          if (response.ok) {
            if (editor.tagName === "TEXTAREA") (editor as HTMLTextAreaElement).value = "";
            else editor.innerHTML = "";
            send.disabled = true;
          }
        });
    });
  }
  render();
  return page;
}
