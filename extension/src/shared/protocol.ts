/**
 * The messages the three parts of the Agent exchange, and the guards that check their shape.
 *
 * page-hook (MAIN world) ──window.postMessage `_OF_FORWARDER_`──► content (ISOLATED world)
 * content ──chrome.runtime.sendMessage (same object)──► background
 * background ──chrome.tabs.sendMessage `{type:"execute", command}`──► content
 * content ──window.postMessage `_OF_BACKEND_`──► page-hook
 * (the history backfill's steps take the same two hops: `backfill-protocol.ts`)
 *
 * Everything crossing a boundary is checked with these guards on the receiving side: the page
 * can post anything to `window`, so a shape is never assumed.
 */
import type { SendMessageCommand } from "../gen/wss-outgoing";
import { isBackfillResult, isBackfillStep, type BackfillResult, type BackfillStep } from "./backfill-protocol";
import { isId, isObject, type JsonObject } from "./json";

export type { SendMessageCommand };
export { isObject, type JsonObject };

export const FORWARDER = "_OF_FORWARDER_";
export const BACKEND = "_OF_BACKEND_";

export type CaptureSource = "fetch" | "xhr" | "websocket";
export type CommandStatus = "sent" | "failed" | "rejected";

/** A captured REST exchange: no headers, no cookies; bodies are parsed JSON (or null). */
export interface HttpCapture {
  url: string;
  method: string;
  status: number;
  requestBody: unknown;
  responseBody: unknown;
}

/** A captured WebSocket frame (parsed JSON). */
export interface WsCapture {
  url: string;
  direction: "in" | "out";
  frame: unknown;
}

export interface CommandOutcome {
  commandId: string;
  status: CommandStatus;
  detail: unknown;
}

export type ForwarderMessage =
  | { source: typeof FORWARDER; event: "fetch" | "xhr"; data: HttpCapture }
  | { source: typeof FORWARDER; event: "websocket"; data: WsCapture }
  | { source: typeof FORWARDER; event: "command_result"; data: CommandOutcome }
  | { source: typeof FORWARDER; event: "backfill_result"; data: BackfillResult };

export type CaptureMessage = Extract<ForwarderMessage, { event: CaptureSource }>;

export type BackendMessage =
  | { source: typeof BACKEND; type: "execute"; command: SendMessageCommand }
  | { source: typeof BACKEND; type: "backfill_step"; step: BackfillStep };

/** background → content (chrome.tabs.sendMessage). */
export interface ExecuteRequest {
  type: "execute";
  command: SendMessageCommand;
}

/** Extension pages (popup, options) → background. */
export type UiRequest =
  | { type: "get_status" }
  | { type: "reconnect" }
  | { type: "backfill_start"; since: number | null }
  | { type: "backfill_stop" }
  | { type: "backfill_dismiss" }
  | { type: "read_origin_decide"; origin: string; allow: boolean }
  | { type: "read_origin_forget"; origin: string };

const STATUSES: ReadonlySet<string> = new Set(["sent", "failed", "rejected"]);

export function isHttpCapture(value: unknown): value is HttpCapture {
  return (
    isObject(value) &&
    typeof value.url === "string" &&
    typeof value.method === "string" &&
    typeof value.status === "number"
  );
}

export function isWsCapture(value: unknown): value is WsCapture {
  return (
    isObject(value) &&
    typeof value.url === "string" &&
    (value.direction === "in" || value.direction === "out") &&
    "frame" in value
  );
}

export function isCommandOutcome(value: unknown): value is CommandOutcome {
  return (
    isObject(value) &&
    typeof value.commandId === "string" &&
    value.commandId.length > 0 &&
    typeof value.status === "string" &&
    STATUSES.has(value.status)
  );
}

export function isForwarderMessage(value: unknown): value is ForwarderMessage {
  if (!isObject(value) || value.source !== FORWARDER) return false;
  switch (value.event) {
    case "fetch":
    case "xhr":
      return isHttpCapture(value.data);
    case "websocket":
      return isWsCapture(value.data);
    case "command_result":
      return isCommandOutcome(value.data);
    case "backfill_result":
      return isBackfillResult(value.data);
    default:
      return false;
  }
}

/** A `SendMessageCommand` as the contracts define it (extra fields are tolerated). */
export function isSendMessageCommand(value: unknown): value is SendMessageCommand {
  if (!isObject(value)) return false;
  const { commandId, chatId, userId, text, price, mediaIds } = value;
  return (
    typeof commandId === "string" &&
    commandId.length > 0 &&
    commandId.length <= 128 &&
    isId(chatId) &&
    isId(userId) &&
    typeof text === "string" &&
    text.length <= 10_000 &&
    (price === undefined || price === null || (typeof price === "number" && price >= 0)) &&
    (mediaIds === undefined || (Array.isArray(mediaIds) && mediaIds.every(isId)))
  );
}

export function isBackendMessage(value: unknown): value is BackendMessage {
  if (!isObject(value) || value.source !== BACKEND) return false;
  if (value.type === "execute") return isSendMessageCommand(value.command);
  if (value.type === "backfill_step") return isBackfillStep(value.step);
  return false;
}

export function isExecuteRequest(value: unknown): value is ExecuteRequest {
  return isObject(value) && value.type === "execute" && isSendMessageCommand(value.command);
}
