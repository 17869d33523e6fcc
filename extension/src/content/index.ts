/**
 * content.js (isolated world): the relay between the page hook and the background.
 *
 * page → background: `_OF_FORWARDER_` messages posted on this window (checked: from this very
 * window, this origin, a known shape) go on unchanged with `chrome.runtime.sendMessage`.
 * background → page: `{type:"execute", command}` and `{type:"backfill_step", step}` (checked:
 * from this extension, a valid shape) are posted to the page as `_OF_BACKEND_` messages.
 * The backfill runs only while an OnlyFans tab is visible: `{type:"probe"}` is answered
 * `{visible}`, and every `visibilitychange` is reported as `{type:"tab_visibility", visible}`.
 */
import { isBackfillStepRequest, type TabVisibility } from "../shared/backfill-protocol";
import { isObject } from "../shared/json";
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

  win.addEventListener("message", (event: MessageEvent) => {
    if (event.source !== win || event.origin !== origin) return;
    if (!isForwarderMessage(event.data)) return;
    send(event.data);
  });

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
    win.postMessage(forward, origin);
    sendResponse({ ok: true });
    return undefined;
  });
}
