/**
 * The private channel between the page hook (MAIN world) and the content script (ISOLATED
 * world): a `MessageChannel` the content script makes and hands one port of to the hook at
 * `document_start`, before any page script runs. Captures and results travel hook → content
 * over it, commands and backfill steps content → hook. Nothing else is trusted: the content
 * script ignores `_OF_FORWARDER_` messages posted on `window` (any page script can post those),
 * and page scripts never see the port.
 *
 * The hand-over is synchronous, whichever of the two scripts Chrome runs first (both run at
 * `document_start`; the manifest lists the hook first):
 * - the content script dispatches a cancelable `MessageEvent(PORT_EVENT, {ports:[port]})` on the
 *   document; the hook's listener takes the port and cancels the event, which tells the content
 *   script, as `dispatchEvent`'s result, that the port was taken;
 * - a hook that starts after the content script dispatches `HOOK_READY_EVENT` once its listener
 *   is in place, and the content script offers the port again then.
 * The first port taken is the only one: the hook ignores later offers, and the content script
 * stops offering once its port was taken, or at its first task turn (by then page scripts may
 * run; a hook that did not take the port by then never will).
 */

export const PORT_EVENT = "ofca-agent:port";
export const HOOK_READY_EVENT = "ofca-agent:hook-ready";

export interface PortLike {
  postMessage(message: unknown): void;
  onmessage: ((event: MessageEvent) => void) | null;
}

interface ChannelWindow {
  document: Document;
  MessageEvent: typeof MessageEvent;
  CustomEvent: typeof CustomEvent;
  setTimeout: (handler: () => void, ms: number) => unknown;
}

/** Content side: offer `port` to the hook until it is taken (or the offer window closes). */
export function offerPort(win: ChannelWindow, port: unknown): { taken: () => boolean } {
  const doc = win.document;
  let taken = false;
  const stop = (): void => doc.removeEventListener(HOOK_READY_EVENT, offer);
  function offer(): void {
    if (taken) return;
    const event = new win.MessageEvent(PORT_EVENT, { ports: [port as MessagePort], cancelable: true });
    taken = !doc.dispatchEvent(event);
    if (taken) stop();
  }
  doc.addEventListener(HOOK_READY_EVENT, offer);
  offer();
  win.setTimeout(stop, 0);
  return { taken: () => taken };
}

/** Hook side: take the first port offered; `onPort` gets it (synchronously, once). */
export function acceptPort(win: ChannelWindow, onPort: (port: PortLike) => void): void {
  const doc = win.document;
  let taken = false;
  const listener = (event: Event): void => {
    const port = taken ? undefined : (event as MessageEvent).ports?.[0];
    if (!port) return;
    taken = true;
    event.preventDefault(); // tells the content script, synchronously, that it was taken
    event.stopImmediatePropagation();
    doc.removeEventListener(PORT_EVENT, listener, true);
    onPort(port as unknown as PortLike);
  };
  doc.addEventListener(PORT_EVENT, listener, true);
  doc.dispatchEvent(new win.CustomEvent(HOOK_READY_EVENT));
}
