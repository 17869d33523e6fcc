/**
 * The chat page's controls, as OnlyFans' web app renders them (see /work/shared/of-traffic.md,
 * "The chat page the creator sees"), and how to drive them the way a person would.
 */

export const SELECTORS = {
  chatLink: (route: string) => `a.b-chats__item__link[href="${route}"]`,
  composer: [
    '[contenteditable].tiptap.ProseMirror[at-attr="message_input"]',
    '[contenteditable][at-attr="message_input"]',
    "textarea#new_post_text_input",
  ],
  sendButton: 'button[at-attr="send_btn"]',
  priceButton: '[at-attr="price_btn"]',
  priceModal: "#ModalPostPrice",
  priceInput: '#ModalPostPrice input[id*="price"]',
  priceSave: 'button[at-attr="price_save"]',
} as const;

export type Composer = HTMLElement;

export function findComposer(doc: Document): Composer | null {
  for (const selector of SELECTORS.composer) {
    const found = doc.querySelector<HTMLElement>(selector);
    if (found) return found;
  }
  return null;
}

function isTextArea(el: Element): el is HTMLTextAreaElement {
  return el.tagName === "TEXTAREA";
}

/** The text the composer holds now. */
export function composerText(el: Composer): string {
  return isTextArea(el) ? el.value : (el.textContent ?? "");
}

/** Whitespace-free form, so `<p>a</p><p>b</p>` and "a\nb" compare equal. */
export function squash(text: string): string {
  return text.replace(/[\s\u00a0\u200b]+/g, "");
}

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
};

/** Plain text of an OnlyFans message's HTML (`<p>hi &amp; bye</p>` → "hi & bye"). */
export function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/(p|div|li)>/gi, "\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
      if (name[0] === "#") {
        const code =
          name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return Number.isFinite(code) ? String.fromCodePoint(code) : whole;
      }
      return ENTITIES[name.toLowerCase()] ?? whole;
    });
}

export function isEnabled(button: Element | null): button is HTMLButtonElement {
  return (
    button !== null &&
    !(button as HTMLButtonElement).disabled &&
    button.getAttribute("aria-disabled") !== "true"
  );
}

/** Set an input's value through the native setter, so a framework's listeners see it. */
export function setNativeValue(el: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  const win = el.ownerDocument.defaultView;
  const proto = isTextArea(el) ? win?.HTMLTextAreaElement.prototype : win?.HTMLInputElement.prototype;
  const setter = proto ? Object.getOwnPropertyDescriptor(proto, "value")?.set : undefined;
  if (setter) setter.call(el, value);
  else el.value = value;
  const EventCtor = win?.Event ?? Event;
  el.dispatchEvent(new EventCtor("input", { bubbles: true }));
  el.dispatchEvent(new EventCtor("change", { bubbles: true }));
}

/**
 * Replace the composer's content with `text` the way a person's typing would: for the TipTap
 * editor `selectAll` + `insertText` (the editor keeps its own state in sync; writing innerHTML
 * is ignored by it), for the old textarea the native setter plus an `input` event.
 */
export function typeInto(el: Composer, text: string, execCommand: Document["execCommand"]): void {
  el.focus();
  if (isTextArea(el)) {
    setNativeValue(el, text);
    return;
  }
  const doc = el.ownerDocument;
  Reflect.apply(execCommand, doc, ["selectAll", false]);
  Reflect.apply(execCommand, doc, ["insertText", false, text]);
}

/** Empty the composer (used when a command fails before anything was sent). */
export function clearComposer(el: Composer, execCommand: Document["execCommand"]): void {
  try {
    el.focus();
    if (isTextArea(el)) {
      setNativeValue(el, "");
      return;
    }
    const doc = el.ownerDocument;
    Reflect.apply(execCommand, doc, ["selectAll", false]);
    Reflect.apply(execCommand, doc, ["delete", false]);
  } catch {
    // best effort
  }
}
