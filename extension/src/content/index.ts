/**
 * content.js (isolated world): the relay between the page hook and the background, over a
 * private `MessageChannel` whose other port it hands to the hook at `document_start`, before
 * any page script runs (`shared/page-channel.ts`).
 *
 * hook → background: `_OF_FORWARDER_` messages arriving on the port (checked: a known shape) go
 * on unchanged with `chrome.runtime.sendMessage`. Nothing posted on `window` is relayed: any
 * script of the page can post there (a forged tip used to become lifetime spend).
 * background → hook: `{type:"execute", command}` and `{type:"backfill_step", step}` (checked:
 * from this extension, a valid shape) go to the hook on the port as `_OF_BACKEND_` messages.
 * The backfill runs only while an OnlyFans tab is visible: `{type:"probe"}` is answered
 * `{visible}`, and every `visibilitychange` is reported as `{type:"tab_visibility", visible}`.
 */
import { isBackfillStepRequest, type TabVisibility } from "../shared/backfill-protocol";
import { isObject } from "../shared/json";
import { offerPort, type PortLike } from "../shared/page-channel";
import {
  BACKEND,
  isExecuteRequest,
  isForwarderMessage,
  type BackendMessage,
} from "../shared/protocol";

export interface RuntimeLike {
  id?: string;
  sendMessage(message: unknown): Promise<unknown>;
  onMessage: {
    addListener(
      callback: (
        message: unknown,
        sender: { id?: string },
        sendResponse: (response?: unknown) => void,
      ) => boolean | undefined,
    ): void;
  };
}

type ChannelFactory = () => { port1: PortLike; port2: unknown };

export function installContentRelay(
  win: Window,
  runtime: RuntimeLike,
  newChannel: ChannelFactory = () => new MessageChannel(),
): void {
  const doc = win.document;
  const visible = (): boolean => doc.visibilityState === "visible";

  const send = (message: unknown): void => {
    if (!runtime.id) return; // the extension was reloaded: this script is orphaned
    try {
      runtime.sendMessage(message).catch(() => undefined);
    } catch {
      // "Extension context invalidated": nothing to relay to
    }
  };

  const { port1: hook, port2 } = newChannel();
  hook.onmessage = (event: MessageEvent) => {
    if (isForwarderMessage(event.data)) send(event.data);
  };
  offerPort(win as Window & typeof globalThis, port2);

  const reportVisibility = (): void => {
    const report: TabVisibility = { type: "tab_visibility", visible: visible() };
    send(report);
  };
  doc.addEventListener("visibilitychange", reportVisibility);
  reportVisibility(); // a tab that just loaded may be what a paused backfill waits for

  runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (sender.id !== runtime.id) return undefined;
    let forward: BackendMessage;
    if (isExecuteRequest(message)) {
      forward = { source: BACKEND, type: "execute", command: message.command };
    } else if (isBackfillStepRequest(message)) {
      forward = { source: BACKEND, type: "backfill_step", step: message.step };
    } else {
      if (isObject(message) && message.type === "probe") sendResponse({ visible: visible() });
      return undefined;
    }
    hook.postMessage(forward);
    sendResponse({ ok: true });
    return undefined;
  });
}
