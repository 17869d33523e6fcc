/**
 * The only caller of `chrome.runtime.sendMessage(extensionId, …)`: the Bridge → Agent contract
 * (communication spec 2.4). A web page can only reach an extension that lists the page's origin
 * under `externally_connectable`; when none does, Chrome does not even define `chrome.runtime`.
 *
 * Every call resolves (never rejects) with a typed result:
 * - `not_configured`: no extension id (build-time `VITE_EXTENSION_ID` or the Settings override);
 * - `not_installed`: no `chrome.runtime` here, or Chrome says nothing answers at that id;
 * - `timeout`: the extension took longer than `timeoutMs` to answer;
 * - `runtime_error`: `chrome.runtime.lastError` said something else;
 * - `rejected`: the Agent answered `{ ok: false, error }`;
 * - `bad_response`: the Agent answered something this page cannot read.
 * A success carries the Agent's `data` (extension/README.md lists what each request returns).
 */
import type { SendMessageCommand } from "../wire";

export type BridgeToAgentMessage =
  | { type: "get_all_chats_from_db"; payload: null }
  | { type: "get_all_messages_from_db"; payload: { chatId: string } }
  | { type: "execute_agent_command"; payload: SendMessageCommand }
  | { type: "get_capture_status" }
  | { type: "request_backfill"; since?: number };

export type ExtensionFailure =
  "not_configured" | "not_installed" | "timeout" | "runtime_error" | "rejected" | "bad_response";

export type ExtensionFailed = { ok: false; error: ExtensionFailure; message: string };

export type ExtensionResult<T = unknown> = { ok: true; response: T } | ExtensionFailed;

/**
 * The extension's own view of its capture (`get_capture_status`). Times are epoch ms. The
 * dashboard shows the Brain's `coverage.backfill` for progress; this is what this browser's
 * extension says right now.
 */
export interface AgentCaptureStatus {
  state: string;
  chatsDone: number;
  chatsTotal: number;
  requests: number;
  rateLimitedUntil: number | null;
  /** A `request_backfill` waits for the creator's answer in the popup. */
  requestPending: boolean;
}

/** The slice of `chrome.runtime` this module uses (as a web page sees it). */
export interface ChromeRuntimeLike {
  lastError?: { message?: string } | undefined;
  sendMessage(extensionId: string, message: unknown, callback: (response: unknown) => void): void;
}

interface ChromeGlobal {
  chrome?: { runtime?: Partial<ChromeRuntimeLike> };
}

/** `chrome.runtime` when this page may message an extension, else undefined. */
export function pageRuntime(): ChromeRuntimeLike | undefined {
  const runtime = (globalThis as ChromeGlobal).chrome?.runtime;
  return typeof runtime?.sendMessage === "function" ? (runtime as ChromeRuntimeLike) : undefined;
}

const NOT_INSTALLED =
  /receiving end does not exist|could not establish connection|invalid extension id|not exist/i;

export const DEFAULT_TIMEOUT_MS = 5000;

export const NOT_INSTALLED_MESSAGE =
  "The OFCA extension is not installed in this browser, is disabled, or does not allow this page.";

export class ExtensionService {
  constructor(
    private readonly extensionId: () => string,
    private readonly runtime: () => ChromeRuntimeLike | undefined = pageRuntime,
    private readonly timeoutMs: number = DEFAULT_TIMEOUT_MS,
  ) {}

  /** Ask the Agent to send its whole IndexedDB to the Brain as a snapshot (`cache_update`). */
  getAllChatsFromDb(): Promise<ExtensionResult> {
    return this.send({ type: "get_all_chats_from_db", payload: null });
  }

  /** Ask the Agent for every message it stored for one chat. */
  getAllMessagesFromDb(chatId: string): Promise<ExtensionResult> {
    return this.send({ type: "get_all_messages_from_db", payload: { chatId } });
  }

  /** Hand a command to the Agent directly (it executes a `commandId` at most once). */
  executeAgentCommand(command: SendMessageCommand): Promise<ExtensionResult> {
    return this.send({ type: "execute_agent_command", payload: command });
  }

  /** What this browser's extension says its capture and backfill are doing. */
  async getCaptureStatus(): Promise<ExtensionResult<AgentCaptureStatus>> {
    const result = await this.send({ type: "get_capture_status" });
    if (!result.ok) return result;
    const status = readCaptureStatus(result.response);
    return status
      ? { ok: true, response: status }
      : fail("bad_response", "The extension answered with a capture status this page cannot read.");
  }

  /**
   * Ask the extension to backfill the creator's history (back to `since`, epoch ms; the whole
   * history without it). The extension asks the creator to confirm in its popup: a success means
   * the request is waiting there, not that the backfill started.
   */
  requestBackfill(since?: number): Promise<ExtensionResult> {
    const message: BridgeToAgentMessage = { type: "request_backfill" };
    if (since !== undefined && Number.isFinite(since) && since >= 0) {
      message.since = Math.floor(since);
    }
    return this.send(message);
  }

  send(message: BridgeToAgentMessage): Promise<ExtensionResult> {
    const id = this.extensionId().trim();
    if (!id) {
      return Promise.resolve(fail("not_configured", "No extension id is configured (Settings)."));
    }
    const runtime = this.runtime();
    if (!runtime) {
      return Promise.resolve(fail("not_installed", NOT_INSTALLED_MESSAGE));
    }
    return new Promise((resolve) => {
      let settled = false;
      const settle = (result: ExtensionResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const timer = setTimeout(
        () => settle(fail("timeout", `The extension did not answer within ${this.timeoutMs} ms.`)),
        this.timeoutMs,
      );
      try {
        runtime.sendMessage(id, message, (response) => {
          // Reading lastError inside the callback is what tells Chrome the error was handled.
          const lastError = runtime.lastError;
          if (lastError) {
            const text = lastError.message ?? "unknown error";
            settle(fail(NOT_INSTALLED.test(text) ? "not_installed" : "runtime_error", text));
            return;
          }
          settle(interpret(response));
        });
      } catch (error) {
        // Chrome throws synchronously for a malformed id or a page it does not allow.
        const text = error instanceof Error ? error.message : String(error);
        settle(fail(NOT_INSTALLED.test(text) ? "not_installed" : "runtime_error", text));
      }
    });
  }
}

function fail(error: ExtensionFailure, message: string): ExtensionFailed {
  return { ok: false, error, message };
}

const count = (value: unknown): number =>
  typeof value === "number" && Number.isFinite(value) && value >= 0 ? Math.floor(value) : 0;

/** Epoch ms from a number or an ISO string; null for anything else. */
function epochMs(value: unknown): number | null {
  const ms = typeof value === "string" ? Date.parse(value) : value;
  return typeof ms === "number" && Number.isFinite(ms) ? ms : null;
}

/**
 * The extension's `get_capture_status` data, or null without a backfill state. The backfill's
 * fields are read at the top level or under `backfill` (the extension nests them there, next to
 * `chatList`, `coverage` and `backfillRequest`).
 */
export function readCaptureStatus(data: unknown): AgentCaptureStatus | null {
  if (typeof data !== "object" || data === null) return null;
  const top = data as Record<string, unknown>;
  const nested = top.backfill;
  const raw =
    typeof nested === "object" && nested !== null ? (nested as Record<string, unknown>) : top;
  if (typeof raw.state !== "string" || raw.state === "") return null;
  return {
    state: raw.state.slice(0, 32),
    chatsDone: count(raw.chatsDone),
    chatsTotal: count(raw.chatsTotal),
    requests: count(raw.requests),
    rateLimitedUntil: epochMs(raw.rateLimitedUntil),
    requestPending: typeof top.backfillRequest === "object" && top.backfillRequest !== null,
  };
}

/** The Agent answers `{ ok: true, data }` or `{ ok: false, error }` (extension/README.md). */
function interpret(response: unknown): ExtensionResult {
  if (typeof response === "object" && response !== null && "ok" in response) {
    if (response.ok === false) {
      return fail("rejected", "error" in response ? String(response.error) : "refused");
    }
    if (response.ok === true && "data" in response) return { ok: true, response: response.data };
  }
  return { ok: true, response };
}
