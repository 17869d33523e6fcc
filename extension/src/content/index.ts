/**
 * content.js (isolated world): the relay between the page hook and the background.
 *
 * page → background: `_OF_FORWARDER_` messages posted on this window (checked: from this very
 * window, this origin, a known shape) go on unchanged with `chrome.runtime.sendMessage`.
 * background → page: `{type:"execute", command}` (checked: from this extension, a valid
 * command) is posted to the page as `{source:"_OF_BACKEND_", type:"execute", command}`.
 */
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

export function installContentRelay(win: Window, runtime: RuntimeLike): void {
  const origin = win.location.origin;

  win.addEventListener("message", (event: MessageEvent) => {
    if (event.source !== win || event.origin !== origin) return;
    if (!isForwarderMessage(event.data)) return;
    if (!runtime.id) return; // the extension was reloaded: this script is orphaned
    try {
      runtime.sendMessage(event.data).catch(() => undefined);
    } catch {
      // "Extension context invalidated": nothing to relay to
    }
  });

  runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (sender.id !== runtime.id) return undefined;
    if (!isExecuteRequest(message)) return undefined;
    const forward: BackendMessage = { source: BACKEND, type: "execute", command: message.command };
    win.postMessage(forward, origin);
    sendResponse({ ok: true });
    return undefined;
  });
}
