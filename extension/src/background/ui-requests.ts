/**
 * What the extension's own pages (popup, options) ask the background:
 *
 * - `{type:"get_status"}` → the `AgentStatus`
 * - `{type:"reconnect"}` → `{ok:true}`
 * - `{type:"backfill_start", since}` (epoch ms or null) → `{ok:true, status}`: the creator's
 *   consent; a pending dashboard request is cleared
 * - `{type:"backfill_stop"}` → `{ok:true, status}`
 * - `{type:"backfill_dismiss"}` → `{ok:true}`: the dashboard's request is declined
 * - `{type:"read_origin_decide", origin, allow}` → `{ok:true}`: the creator's answer to a page
 *   that asked to read the chats (popup), remembered for that origin
 * - `{type:"read_origin_forget", origin}` → `{ok:true}`: the answer revoked (options); that
 *   origin's next read asks again
 */
import { isObject } from "../shared/json";
import type { Agent } from "./agent";

export type UiResponse = { ok: true; status?: unknown } | { ok: false; error: string } | Record<string, unknown>;

function sinceOf(value: unknown): number | null | undefined {
  if (value === undefined || value === null) return null;
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** The answer to one request, or null when it is not one of these. */
export async function handleUiRequest(message: unknown, agent: Agent): Promise<UiResponse | null> {
  if (!isObject(message)) return null;
  switch (message.type) {
    case "get_status":
      return { ...(await agent.status()) };
    case "reconnect":
      agent.restart();
      return { ok: true };
    case "backfill_start": {
      const since = sinceOf(message.since);
      if (since === undefined) return { ok: false, error: "invalid since" };
      try {
        await agent.startBackfill(since);
      } catch (error) {
        return { ok: false, error: error instanceof Error ? error.message : String(error) };
      }
      return { ok: true, status: agent.backfill.status() };
    }
    case "backfill_stop":
      return { ok: true, status: await agent.backfill.stop() };
    case "backfill_dismiss":
      await agent.backfillRequests.clear();
      return { ok: true };
    case "read_origin_decide":
      if (typeof message.origin !== "string" || typeof message.allow !== "boolean") {
        return { ok: false, error: "invalid origin decision" };
      }
      await agent.readOrigins.decide(message.origin, message.allow ? "allowed" : "denied");
      return { ok: true };
    case "read_origin_forget":
      if (typeof message.origin !== "string") return { ok: false, error: "invalid origin" };
      await agent.readOrigins.forget(message.origin);
      return { ok: true };
    default:
      return null;
  }
}
