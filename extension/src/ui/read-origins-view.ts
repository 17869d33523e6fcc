/**
 * The creator's side of `read-consent.ts`: the popup asks "<origin> asks to read your chats —
 * Allow / Deny"; the options page lists every answer with Revoke. Origins are shown as text
 * (never as HTML): they come from other web pages.
 */
import type { ReadOriginsView } from "../background/read-consent";

type Ask = (message: Record<string, unknown>) => Promise<void>;

function button(doc: Document, label: string, origin: string, action: string, onClick: () => void): HTMLButtonElement {
  const found = doc.createElement("button");
  found.type = "button";
  found.textContent = label;
  found.dataset.origin = origin;
  found.dataset.action = action;
  found.addEventListener("click", onClick);
  return found;
}

/** The popup's pending requests, each with Allow and Deny. */
export function renderReadAsks(container: HTMLElement, view: ReadOriginsView, ask: Ask): void {
  const doc = container.ownerDocument;
  container.replaceChildren(
    ...view.pending.map(({ origin }) => {
      const box = doc.createElement("div");
      box.className = "ask";
      const who = doc.createElement("strong");
      who.textContent = origin;
      const row = doc.createElement("div");
      row.className = "row";
      row.append(
        button(doc, "Allow", origin, "allow", () => void ask({ type: "read_origin_decide", origin, allow: true })),
        button(doc, "Deny", origin, "deny", () => void ask({ type: "read_origin_decide", origin, allow: false })),
      );
      box.append(who, doc.createTextNode(" asks to read your chats."), row);
      return box;
    }),
  );
}

/** The options page's answers, each revocable. */
export function renderReadDecisions(list: HTMLElement, none: HTMLElement, view: ReadOriginsView, ask: Ask): void {
  const doc = list.ownerDocument;
  const entries = Object.entries(view.decisions).sort(([a], [b]) => a.localeCompare(b));
  none.hidden = entries.length > 0;
  list.replaceChildren(
    ...entries.map(([origin, decision]) => {
      const item = doc.createElement("li");
      const label = decision === "allowed" ? "may read your chats" : "denied";
      item.append(
        doc.createTextNode(`${origin}: ${label} `),
        button(doc, decision === "allowed" ? "Revoke" : "Forget", origin, "forget", () => void ask({ type: "read_origin_forget", origin })),
      );
      return item;
    }),
  );
}
