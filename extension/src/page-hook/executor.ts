/**
 * Executes a `SendMessageCommand` through the page's own send path: open the chat, type into
 * the composer, set a price, press Send. The page then issues its own signed
 * `POST /api2/v2/chats/<chatId>/messages`; the Agent never builds or signs a request. The
 * outcome is read from that captured request: its response carries the created message id.
 *
 * Outcomes: `rejected` when nothing was attempted (chat not reachable, no composer, media
 * attachments, empty text); `failed` when something went wrong on the way (price dialog
 * missing, Send stayed disabled, non-2xx response, text still in the editor after ~5 s, no
 * response seen); `sent` with `{messageId}` from the response.
 */
import { chatRoute, matchEndpoint } from "../shared/endpoints";
import {
  isObject,
  type CaptureMessage,
  type CommandOutcome,
  type CommandStatus,
  type HttpCapture,
  type SendMessageCommand,
} from "../shared/protocol";
import {
  SELECTORS,
  clearComposer,
  composerText,
  findComposer,
  htmlToText,
  isEnabled,
  setNativeValue,
  squash,
  typeInto,
  type Composer,
} from "./composer";
import type { CaptureHub } from "./hub";
import { scrubText } from "./redact";
import { sleep, waitFor } from "./wait";

export interface Timing {
  pollMs: number;
  navigateMs: number;
  settleMs: number;
  composerMs: number;
  priceMs: number;
  enableMs: number;
  /** How long text may stay in the editor after Send before the send counts as failed. */
  editorMs: number;
  /** How long to wait for the page's POST after the editor emptied. */
  responseMs: number;
}

export const DEFAULT_TIMING: Timing = {
  pollMs: 100,
  navigateMs: 5_000,
  settleMs: 300,
  composerMs: 10_000,
  priceMs: 3_000,
  enableMs: 5_000,
  editorMs: 5_000,
  responseMs: 15_000,
};

/** The page's own functions, taken before any page script could replace them. */
export interface ExecutorEnv {
  win: Window & typeof globalThis;
  doc: Document;
  hub: CaptureHub;
  pushState: History["pushState"];
  execCommand: Document["execCommand"];
  setTimeout: (handler: () => void, ms: number) => unknown;
  timing: Timing;
}

function onRoute(env: ExecutorEnv, route: string): boolean {
  const path = env.win.location.pathname;
  return path === route || `${path}/` === route;
}

/** Open the chat as the app would: its list link if rendered, else a router navigation. */
async function openChat(env: ExecutorEnv, chatId: string): Promise<boolean> {
  const route = chatRoute(chatId);
  if (onRoute(env, route)) return true;
  const link = env.doc.querySelector<HTMLElement>(SELECTORS.chatLink(route));
  if (link) {
    link.click();
    if (await waitFor(env, () => (onRoute(env, route) ? true : null), env.timing.navigateMs / 2)) {
      await sleep(env, env.timing.settleMs);
      return true;
    }
  }
  // The app is a single-page app: a history entry plus popstate makes its router follow.
  Reflect.apply(env.pushState, env.win.history, [{}, "", route]);
  env.win.dispatchEvent(new env.win.PopStateEvent("popstate", { state: {} }));
  if (!(await waitFor(env, () => (onRoute(env, route) ? true : null), env.timing.navigateMs))) {
    return false;
  }
  await sleep(env, env.timing.settleMs);
  return true;
}

async function setPrice(env: ExecutorEnv, price: number): Promise<string | null> {
  const button = env.doc.querySelector<HTMLElement>(SELECTORS.priceButton);
  if (!button) return "price button not found";
  button.click();
  const input = await waitFor(
    env,
    () => env.doc.querySelector<HTMLInputElement>(SELECTORS.priceInput),
    env.timing.priceMs,
  );
  if (!input) return "price dialog not found";
  setNativeValue(input, String(price));
  const save = await waitFor(
    env,
    () => {
      const found = env.doc.querySelector(SELECTORS.priceSave);
      return isEnabled(found) ? found : null;
    },
    env.timing.priceMs,
  );
  if (!save) return "price save button not found or disabled";
  save.click();
  await waitFor(
    env,
    () => (env.doc.querySelector(SELECTORS.priceModal) ? null : true),
    env.timing.priceMs,
  );
  return null;
}

/** Whether a capture is the page's POST of this text to this chat. */
export function isOwnSend(message: CaptureMessage, chatId: string, text: string): boolean {
  if (message.event === "websocket") return false;
  const data = message.data;
  if (data.method !== "POST") return false;
  const match = matchEndpoint("POST", data.url);
  if (!match || match.endpoint !== "messages" || match.id !== chatId) return false;
  const wanted = squash(scrubText(text)); // captures hold text with its URLs cut (redact.ts)
  return [data.requestBody, data.responseBody].some(
    (body) => isObject(body) && typeof body.text === "string" && squash(htmlToText(body.text)) === wanted,
  );
}

export function outcomeOfSend(commandId: string, data: HttpCapture): CommandOutcome {
  const body = data.responseBody;
  if (data.status >= 200 && data.status < 300) {
    const messageId = isObject(body) && body.id !== undefined ? body.id : null;
    return { commandId, status: "sent", detail: { messageId } };
  }
  const error = isObject(body) && isObject(body.error) ? body.error.message : undefined;
  const reason = data.status === 0 ? "network error" : `HTTP ${data.status}`;
  return {
    commandId,
    status: "failed",
    detail: { reason, httpStatus: data.status, ...(typeof error === "string" ? { error } : {}) },
  };
}

/** Collects the page's own POST for this chat and text, from the moment it is created. */
function watchSend(env: ExecutorEnv, chatId: string, text: string) {
  let found: HttpCapture | null = null;
  const stop = env.hub.subscribe((message) => {
    if (!found && message.event !== "websocket" && isOwnSend(message, chatId, text)) {
      found = message.data;
    }
  });
  return {
    wait: (ms: number) => waitFor(env, () => found, ms),
    stop,
  };
}

export async function executeCommand(
  command: SendMessageCommand,
  env: ExecutorEnv,
): Promise<CommandOutcome> {
  const { commandId } = command;
  const result = (status: CommandStatus, detail: Record<string, unknown>): CommandOutcome => ({
    commandId,
    status,
    detail,
  });
  const chatId = String(command.chatId);
  const text = command.text;
  const price = typeof command.price === "number" ? command.price : 0;
  if (command.mediaIds && command.mediaIds.length > 0) {
    return result("rejected", { reason: "media attachments are not supported by the Agent" });
  }
  if (!/^\d+$/.test(chatId)) return result("rejected", { reason: "invalid chat id" });
  if (squash(text) === "") return result("rejected", { reason: "empty message" });

  if (!(await openChat(env, chatId))) {
    return result("rejected", { reason: "chat not reachable", step: "navigate" });
  }
  const composer = await waitFor(env, () => findComposer(env.doc), env.timing.composerMs);
  if (!composer) return result("rejected", { reason: "chat not reachable", step: "composer" });
  if (!env.doc.querySelector(SELECTORS.sendButton)) {
    return result("rejected", { reason: "chat not reachable", step: "send button" });
  }

  typeInto(composer, text, env.execCommand);
  if (!squash(composerText(composer)).includes(squash(text))) {
    clearComposer(composer, env.execCommand);
    return result("failed", { reason: "the composer did not take the text" });
  }
  if (price > 0) {
    const problem = await setPrice(env, price);
    if (problem) {
      clearComposer(composer, env.execCommand);
      return result("failed", { reason: problem, step: "price" });
    }
  }

  const watch = watchSend(env, chatId, text);
  try {
    const send = await waitFor(
      env,
      () => {
        const found = env.doc.querySelector(SELECTORS.sendButton);
        return isEnabled(found) ? found : null;
      },
      env.timing.enableMs,
    );
    if (!send) {
      clearComposer(composer, env.execCommand);
      return result("failed", { reason: "send button stayed disabled" });
    }
    send.click();
    const early = await watch.wait(env.timing.editorMs);
    if (early) return outcomeOfSend(commandId, early);
    const current: Composer = findComposer(env.doc) ?? composer;
    if (squash(composerText(current)).includes(squash(text))) {
      return result("failed", { reason: "text still in the editor after send" });
    }
    const late = await watch.wait(env.timing.responseMs);
    if (late) return outcomeOfSend(commandId, late);
    return result("failed", { reason: "no response to the send was seen", unconfirmed: true });
  } finally {
    watch.stop();
  }
}
