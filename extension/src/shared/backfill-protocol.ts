/**
 * The history backfill's messages between the parts. The background owns the walk; the page
 * hook only executes one step at a time through the OnlyFans app's own store actions:
 *
 * background ──tabs.sendMessage `{type:"backfill_step", step}`──► content
 * content ──`{source:"_OF_BACKEND_", type:"backfill_step", step}`──► page hook
 * page hook ──`{source:"_OF_FORWARDER_", event:"backfill_result", data}`──► content ──► background
 *   (posted only after the capture of that step's response was posted)
 * background ──`{type:"probe"}`──► content, answered `{visible}`;
 * content ──`{type:"tab_visibility", visible}`──► background on `visibilitychange`.
 */
import { isId, isObject } from "./json";

export const MAX_USERS_PER_STEP = 100;
/** At most this many ids travel back in one result (a page is far smaller). */
export const MAX_RESULT_IDS = 1000;

export type BackfillStep =
  | { stepId: string; action: "chats"; offset: number }
  | { stepId: string; action: "users"; ids: (number | string)[] }
  | { stepId: string; action: "messages"; chatId: number | string; beforeId: number | string | null };

export type BackfillAction = BackfillStep["action"];

/** What one step did. `ok`: the request succeeded and its capture was posted first. */
export interface BackfillResult {
  stepId: string;
  ok: boolean;
  /** HTTP status of a failed request (null when none was made or none came back). */
  status: number | null;
  /** `Retry-After` in seconds, when the site sent one. */
  retryAfter: number | null;
  /** `no_store` (no app store on this page), `timeout`, `not_captured`, `request_failed`. */
  error: string | null;
  hasMore: boolean | null;
  nextOffset: number | null;
  /** Items on the page (chats, users or messages). */
  count: number;
  /** Their ids (chat ids are the fans' ids). */
  ids: (number | string)[];
  oldestId: number | string | null;
  /** `createdAt` of the oldest message, epoch ms. */
  oldestAt: number | null;
  newestId: number | string | null;
}

export interface BackfillStepRequest {
  type: "backfill_step";
  step: BackfillStep;
}

export interface ProbeRequest {
  type: "probe";
}

export interface TabVisibility {
  type: "tab_visibility";
  visible: boolean;
}

const nullableNumber = (value: unknown): boolean => value === null || (typeof value === "number" && Number.isFinite(value));
const nullableId = (value: unknown): boolean => value === null || isId(value);

export function isBackfillStep(value: unknown): value is BackfillStep {
  if (!isObject(value) || typeof value.stepId !== "string" || value.stepId.length === 0 || value.stepId.length > 128) {
    return false;
  }
  switch (value.action) {
    case "chats":
      return typeof value.offset === "number" && Number.isSafeInteger(value.offset) && value.offset >= 0;
    case "users":
      return (
        Array.isArray(value.ids) &&
        value.ids.length > 0 &&
        value.ids.length <= MAX_USERS_PER_STEP &&
        value.ids.every(isId)
      );
    case "messages":
      return isId(value.chatId) && nullableId(value.beforeId);
    default:
      return false;
  }
}

export function isBackfillResult(value: unknown): value is BackfillResult {
  return (
    isObject(value) &&
    typeof value.stepId === "string" &&
    typeof value.ok === "boolean" &&
    nullableNumber(value.status) &&
    nullableNumber(value.retryAfter) &&
    (value.error === null || typeof value.error === "string") &&
    (value.hasMore === null || typeof value.hasMore === "boolean") &&
    nullableNumber(value.nextOffset) &&
    typeof value.count === "number" &&
    Array.isArray(value.ids) &&
    value.ids.length <= MAX_RESULT_IDS &&
    value.ids.every(isId) &&
    nullableId(value.oldestId) &&
    nullableNumber(value.oldestAt) &&
    nullableId(value.newestId)
  );
}

export function isBackfillStepRequest(value: unknown): value is BackfillStepRequest {
  return isObject(value) && value.type === "backfill_step" && isBackfillStep(value.step);
}

export function isTabVisibility(value: unknown): value is TabVisibility {
  return isObject(value) && value.type === "tab_visibility" && typeof value.visible === "boolean";
}

/** A failed step's result (nothing on the page, or no page at all). */
export function failedStep(
  stepId: string,
  error: string,
  status: number | null = null,
  retryAfter: number | null = null,
): BackfillResult {
  return {
    stepId,
    ok: false,
    status,
    retryAfter,
    error,
    hasMore: null,
    nextOffset: null,
    count: 0,
    ids: [],
    oldestId: null,
    oldestAt: null,
    newestId: null,
  };
}
