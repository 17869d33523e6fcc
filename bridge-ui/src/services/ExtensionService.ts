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
 * - `rejected`: the Agent answered `{ ok: false, error }`.
 * A success carries the Agent's `data` (extension/README.md lists what each request returns).
 */
import type { SendMessageCommand } from "../wire";

export type BridgeToAgentMessage =
  | { type: "get_all_chats_from_db"; payload: null }
  | { type: "get_all_messages_from_db"; payload: { chatId: string } }
  | { type: "execute_agent_command"; payload: SendMessageCommand };

export type ExtensionFailure =
  "not_configured" | "not_installed" | "timeout" | "runtime_error" | "rejected";

export type ExtensionResult =
  { ok: true; response: unknown } | { ok: false; error: ExtensionFailure; message: string };

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

  send(message: BridgeToAgentMessage): Promise<ExtensionResult> {
    const id = this.extensionId().trim();
    if (!id) {
      return Promise.resolve(fail("not_configured", "No extension id is configured (Settings)."));
    }
    const runtime = this.runtime();
    if (!runtime) {
      return Promise.resolve(
        fail(
          "not_installed",
          "The OFCA extension is not installed in this browser, is disabled, or does not allow this page.",
        ),
      );
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

function fail(error: ExtensionFailure, message: string): ExtensionResult {
  return { ok: false, error, message };
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
