/**
 * One step of the history backfill, executed through the OnlyFans app's own code: the app is a
 * Vue 2 app with a Vuex store (`#app.__vue__.$store`); each step dispatches ONE store action,
 * which issues one request through the app's own signed request path. The extension never
 * builds, signs or replays a request, and never sees a credential: the fetch/XHR wrappers
 * capture the response like any other, and the step's result is posted only after that
 * capture was posted (so the background always receives the data before the result).
 *
 * The action names are those of the project's simulator (`tools/ofsite`); the real app's are a
 * guess to verify (extension/README.md). A page without such a store is reported (`no_store`)
 * rather than guessed at.
 */
import {
  failedStep,
  MAX_RESULT_IDS,
  type BackfillAction,
  type BackfillResult,
  type BackfillStep,
} from "../shared/backfill-protocol";
import { matchEndpoint } from "../shared/endpoints";
import { isId, isObject } from "../shared/json";
import type { HttpCapture } from "../shared/protocol";
import type { CaptureHub } from "./hub";
import { sleep, waitFor } from "./wait";

export const STORE_ACTIONS: Readonly<Record<BackfillAction, string>> = {
  chats: "chats/fetchChats",
  users: "users/fetchUsers",
  messages: "chats/fetchMessages",
};

export interface StepTiming {
  /** How long to wait for the app's store to appear (the page may still be loading). */
  storeMs: number;
  /** How long the store action may take. */
  dispatchMs: number;
  /** How long after the action resolved its captured response may take to be posted. */
  captureMs: number;
  pollMs: number;
}

export const DEFAULT_STEP_TIMING: StepTiming = { storeMs: 10_000, dispatchMs: 60_000, captureMs: 10_000, pollMs: 100 };

export interface StepEnv {
  doc: Document;
  hub: CaptureHub;
  setTimeout: (handler: () => void, ms: number) => unknown;
  timing: StepTiming;
}

interface VuexStore {
  dispatch(type: string, payload?: unknown): unknown;
}

/** The app's Vuex store, or null on a page build that has none where Vue 2 keeps it. */
export function findStore(doc: Document): VuexStore | null {
  const root = doc.querySelector("#app") as (Element & { __vue__?: unknown }) | null;
  const vue = root?.__vue__;
  const store = isObject(vue) ? vue.$store : null;
  return isObject(store) && typeof store.dispatch === "function" ? (store as unknown as VuexStore) : null;
}

export function actionPayload(step: BackfillStep): Record<string, unknown> {
  switch (step.action) {
    case "chats":
      return { offset: step.offset };
    case "users":
      return { ids: [...step.ids] };
    case "messages":
      return step.beforeId === null ? { chatId: step.chatId } : { chatId: step.chatId, id: step.beforeId };
  }
}

/** Whether `capture` is the response to `step`'s request (same endpoint and cursor, 2xx). */
export function isStepCapture(step: BackfillStep, capture: HttpCapture): boolean {
  if (capture.method !== "GET" || capture.status < 200 || capture.status >= 300) return false;
  const match = matchEndpoint("GET", capture.url);
  let params: URLSearchParams;
  try {
    params = new URL(capture.url).searchParams;
  } catch {
    return false;
  }
  switch (step.action) {
    case "chats":
      return match?.endpoint === "chat_list" && Number(params.get("offset") ?? "0") === step.offset;
    case "users": {
      const asked = new Set([...params.getAll("m[]"), ...params.getAll("m")]);
      return match?.endpoint === "users_list" && step.ids.every((id) => asked.has(String(id)));
    }
    case "messages":
      return (
        match?.endpoint === "messages" &&
        match.id === String(step.chatId) &&
        (params.get("id") ?? null) === (step.beforeId === null ? null : String(step.beforeId))
      );
  }
}

function listOf(value: unknown): unknown[] | null {
  return isObject(value) && Array.isArray(value.list) ? value.list : null;
}

function timeOf(message: unknown): number | null {
  const raw = isObject(message) ? message.createdAt : undefined;
  const at = typeof raw === "string" ? Date.parse(raw) : Number.NaN;
  return Number.isFinite(at) ? at : null;
}

/** Ids compared as OnlyFans ids: numerically when both are numbers. */
function older(a: number | string, b: number | string): boolean {
  return typeof a === "number" && typeof b === "number" ? a < b : String(a) < String(b);
}

/** The result of a successful step, read from what the action resolved (else the response). */
export function summarize(step: BackfillStep, resolved: unknown, captured: unknown): BackfillResult {
  const result: BackfillResult = { ...failedStep(step.stepId, ""), ok: true, error: null };
  const body = listOf(resolved) ? resolved : captured;
  const page = isObject(body) ? body : {};
  if (step.action === "users") {
    const users = isObject(resolved) ? resolved : isObject(captured) ? captured : {};
    result.ids = Object.values(users)
      .map((user) => (isObject(user) ? user.id : null))
      .filter(isId)
      .slice(0, MAX_RESULT_IDS);
    result.count = result.ids.length;
    return result;
  }
  const list = listOf(page) ?? [];
  result.hasMore = typeof page.hasMore === "boolean" ? page.hasMore : null;
  result.count = list.length;
  if (step.action === "chats") {
    result.nextOffset = typeof page.nextOffset === "number" ? page.nextOffset : null;
    result.ids = list
      .map((chat) => (isObject(chat) && isObject(chat.withUser) ? chat.withUser.id : null))
      .filter(isId)
      .slice(0, MAX_RESULT_IDS);
    return result;
  }
  const messages = list.filter((m): m is { id: number | string } & Record<string, unknown> => isObject(m) && isId(m.id));
  result.ids = messages.map((m) => m.id).slice(0, MAX_RESULT_IDS);
  let oldest: (typeof messages)[number] | null = null;
  let newest: (typeof messages)[number] | null = null;
  for (const message of messages) {
    if (!oldest || older(message.id, oldest.id)) oldest = message;
    if (!newest || older(newest.id, message.id)) newest = message;
  }
  result.oldestId = oldest?.id ?? null;
  result.oldestAt = oldest ? timeOf(oldest) : null;
  result.newestId = newest?.id ?? null;
  return result;
}

/** `status`, `retryAfter` (seconds) and nothing else from what the action rejected with. */
function failureOf(stepId: string, error: unknown): BackfillResult {
  const fields = error !== null && typeof error === "object" ? (error as Record<string, unknown>) : {};
  const status = typeof fields.status === "number" && Number.isFinite(fields.status) ? fields.status : null;
  const rawRetry = typeof fields.retryAfter === "string" ? Number(fields.retryAfter) : fields.retryAfter;
  const retryAfter = typeof rawRetry === "number" && Number.isFinite(rawRetry) && rawRetry >= 0 ? rawRetry : null;
  return failedStep(stepId, "request_failed", status, retryAfter);
}

const TIMED_OUT = Symbol("timed out");

/** Execute `step`: one store action, then its captured response; never throws. */
export async function runBackfillStep(step: BackfillStep, env: StepEnv): Promise<BackfillResult> {
  const store = await waitFor(env, () => findStore(env.doc), env.timing.storeMs);
  if (!store) return failedStep(step.stepId, "no_store");
  let captured: HttpCapture | null = null;
  // Subscribed before dispatching: the hub posts a capture before telling listeners, so once
  // this one has it, the content script has it too.
  const stop = env.hub.subscribe((message) => {
    if (!captured && message.event !== "websocket" && isStepCapture(step, message.data)) captured = message.data;
  });
  try {
    let resolved: unknown;
    try {
      const pending = Promise.resolve(store.dispatch(STORE_ACTIONS[step.action], actionPayload(step)));
      const timeout = sleep(env, env.timing.dispatchMs).then(() => TIMED_OUT);
      resolved = await Promise.race([pending, timeout]);
    } catch (error) {
      return failureOf(step.stepId, error);
    }
    if (resolved === TIMED_OUT) return failedStep(step.stepId, "timeout");
    const response = await waitFor(env, () => captured, env.timing.captureMs);
    if (!response) return failedStep(step.stepId, "not_captured");
    return summarize(step, resolved, response.responseBody);
  } finally {
    stop();
  }
}
