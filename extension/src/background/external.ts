/**
 * Messages from the Bridge dashboard (`chrome.runtime.onMessageExternal`).
 *
 * Only dashboard origins are served: `http://127.0.0.1` and `http://localhost` on any port,
 * plus the exact origins listed in `chrome.storage.local` `dashboardOrigins` (those must also
 * match the manifest's `externally_connectable`, or Chrome never delivers them). Everything
 * else is refused.
 *
 * The configured dashboards are the Brain's own (the http(s) origin of `brainUrl`, where the
 * gateway serves it) and the origins listed in `dashboardOrigins`. Only they may send
 * (`execute_agent_command`: irreversible) and ask for a backfill. Any other local web server (a
 * dev tool, another app on the creator's machine) may not even read until the creator allows
 * it: its read is refused and recorded as a request the popup shows ("Allow / Deny",
 * remembered per origin, revocable in the options page: `read-consent.ts`). Requests:
 *
 * - `{type:"get_all_chats_from_db"}` → `{ok:true, data:{creatorId, chats}}` (no snapshot to
 *   the Brain any more: the outbox keeps it whole, and it asks itself when it needs one)
 * - `{type:"get_all_messages_from_db", chatId?}` → `{ok:true, data:{creatorId, messages}}`
 * - `{type:"execute_agent_command", command}` → `{ok:true, data:{commandId, status, detail,
 *   duplicate}}` once executed (a repeated commandId is not executed again)
 * - `{type:"get_capture_status"}` → `{ok:true, data: CaptureStatus}`: the history backfill's
 *   state and what the capture covers
 * - `{type:"request_backfill", since?}` (the origins that may send) → `{ok:true,
 *   data:{requested:true}}`: recorded for the creator, who starts it (or not) from the popup;
 *   the dashboard never starts a backfill itself
 */
import { isObject, isSendMessageCommand, type JsonObject, type SendMessageCommand } from "../shared/protocol";
import type { RunResult } from "./commands";
import { normalizeId } from "./db";
import type { ReadDecision } from "./read-consent";
import type { CaptureStatus } from "./status";

export type ExternalResponse = { ok: true; data: unknown } | { ok: false; error: string };

export interface ExternalSender {
  origin?: string;
  url?: string;
}

export interface ExternalDeps {
  dashboardOrigins: () => readonly string[];
  brainUrl: () => string;
  paused: () => boolean;
  creatorId: () => string | null;
  chats: (creatorId: string) => Promise<JsonObject[]>;
  messages: (creatorId: string, chatId: number | string | null) => Promise<JsonObject[]>;
  execute: (command: SendMessageCommand) => Promise<RunResult>;
  captureStatus: () => Promise<CaptureStatus>;
  requestBackfill: (origin: string, since: number | null) => Promise<void>;
  /** The creator's answer for an origin that is not a configured dashboard (records a request). */
  readAccess: (origin: string) => Promise<ReadDecision | "asked">;
}

/** Requests that read the captured chats or their coverage. */
const READS: ReadonlySet<string> = new Set(["get_all_chats_from_db", "get_all_messages_from_db", "get_capture_status"]);

const LOCAL_HOSTS: ReadonlySet<string> = new Set(["127.0.0.1", "localhost"]);

function originOf(sender: ExternalSender): string | null {
  const raw = sender.origin ?? sender.url;
  if (!raw) return null;
  try {
    return new URL(raw).origin;
  } catch {
    return null;
  }
}

/** Whether a page at `origin` may talk to the Agent. */
export function isDashboardOrigin(origin: string | null, extra: readonly string[]): boolean {
  if (!origin || origin === "null") return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol === "http:" && LOCAL_HOSTS.has(url.hostname)) return true;
  return isListed(url.origin, extra);
}

/** Whether `origin` is one of the creator's `dashboardOrigins` (each compared as an origin). */
function isListed(origin: string, extra: readonly string[]): boolean {
  return extra.some((allowed) => {
    try {
      return new URL(allowed).origin === origin;
    } catch {
      return false;
    }
  });
}

/** The origin the gateway serves the dashboard from: `brainUrl` with ws(s) turned to http(s). */
export function brainOrigin(brainUrl: string): string | null {
  try {
    const url = new URL(brainUrl.replace(/^ws(s?):/i, "http$1:"));
    return url.protocol === "http:" || url.protocol === "https:" ? url.origin : null;
  } catch {
    return null;
  }
}

/** Whether a page at `origin` may have the Agent send a message to a fan. */
export function isCommandOrigin(origin: string | null, brainUrl: string, extra: readonly string[]): boolean {
  if (!origin || origin === "null") return false;
  return origin === brainOrigin(brainUrl) || isListed(origin, extra);
}

function argument(message: JsonObject, key: string): unknown {
  if (key in message) return message[key];
  return isObject(message.payload) ? message.payload[key] : undefined;
}

export async function handleExternal(
  message: unknown,
  sender: ExternalSender,
  deps: ExternalDeps,
): Promise<ExternalResponse> {
  const origin = originOf(sender);
  if (!isDashboardOrigin(origin, deps.dashboardOrigins())) {
    return { ok: false, error: "origin not allowed" };
  }
  if (!isObject(message) || typeof message.type !== "string") {
    return { ok: false, error: "invalid message" };
  }
  if (origin && READS.has(message.type) && !isCommandOrigin(origin, deps.brainUrl(), deps.dashboardOrigins())) {
    const access = await deps.readAccess(origin);
    if (access === "denied") return { ok: false, error: "the creator denied this origin access to the chats" };
    if (access === "asked") {
      return { ok: false, error: "the creator has not allowed this origin to read the chats yet: the Agent's popup asks them" };
    }
  }
  const creatorId = deps.creatorId();
  switch (message.type) {
    case "get_all_chats_from_db": {
      if (!creatorId) return { ok: true, data: { creatorId: null, chats: [] } };
      return { ok: true, data: { creatorId, chats: await deps.chats(creatorId) } };
    }
    case "get_all_messages_from_db": {
      if (!creatorId) return { ok: true, data: { creatorId: null, messages: [] } };
      const rawChat = argument(message, "chatId");
      const chatId = rawChat === undefined || rawChat === null ? null : normalizeId(rawChat);
      if (rawChat !== undefined && rawChat !== null && chatId === null) {
        return { ok: false, error: "invalid chatId" };
      }
      return { ok: true, data: { creatorId, messages: await deps.messages(creatorId, chatId) } };
    }
    case "execute_agent_command": {
      if (!isCommandOrigin(origin, deps.brainUrl(), deps.dashboardOrigins())) {
        return { ok: false, error: "only the Brain's dashboard may send: add this origin to dashboardOrigins" };
      }
      const command = argument(message, "command") ?? message.payload;
      if (!isSendMessageCommand(command)) return { ok: false, error: "invalid command" };
      if (deps.paused()) return { ok: false, error: "the Agent is paused" };
      const result = await deps.execute(command);
      if (result.state === "executing") {
        return { ok: true, data: { commandId: command.commandId, status: "executing", duplicate: true } };
      }
      return { ok: true, data: { ...result.outcome, duplicate: result.duplicate } };
    }
    case "get_capture_status":
      return { ok: true, data: await deps.captureStatus() };
    case "request_backfill": {
      if (!origin || !isCommandOrigin(origin, deps.brainUrl(), deps.dashboardOrigins())) {
        return { ok: false, error: "only the Brain's dashboard may ask for a backfill: add this origin to dashboardOrigins" };
      }
      const since = argument(message, "since");
      if (since !== undefined && since !== null && !(typeof since === "number" && Number.isSafeInteger(since) && since >= 0)) {
        return { ok: false, error: "invalid since (epoch milliseconds or null)" };
      }
      await deps.requestBackfill(origin, typeof since === "number" ? since : null);
      return { ok: true, data: { requested: true } };
    }
    default:
      return { ok: false, error: `unknown message type ${message.type.slice(0, 64)}` };
  }
}
