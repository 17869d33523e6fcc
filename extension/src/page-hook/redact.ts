/**
 * What leaves the page is an allowlist (`allowlist.ts`): for each chat endpoint, only the
 * fields the Brain and the extension use; every other key is dropped, whatever its name
 * (`wsAuthToken`, `Authorization`, `csrfToken`, a credential the site adds tomorrow…).
 * Headers and cookies are never read in the first place.
 *
 * Inside what is kept:
 * - a URL field (an avatar) keeps its origin and path only: no query, no fragment, no
 *   `;params`, and the path ends at an encoded `?`, `#`, `&` or `;` (a nested signed URL);
 * - a text (message HTML, names) has every URL in it cut the same way, and any
 *   `Policy`/`Signature`/`Key-Pair-Id`/`token`/`sign`/… parameter left elsewhere removed,
 *   whatever separates it (`?`, `&`, `;`, `&amp;`, `&#38;`, `%26`, `%3F`…);
 * - the capture's own URL keeps only the query parameters the backfill reads back.
 *
 * Only own properties are read (a page script's getter on `Object.prototype` adds nothing),
 * and the inputs are never modified (the page may hold the same objects).
 */
import { matchEndpoint } from "../shared/endpoints";
import type { HttpCapture, WsCapture } from "../shared/protocol";
import {
  API_PARAMS,
  CHAT,
  ERROR,
  FRAME_IN,
  FRAME_OUT,
  MESSAGE,
  pageOf,
  SEND,
  USER,
  type Rule,
  type Shape,
} from "./allowlist";

// Read before any page script runs.
const apply = Reflect.apply;
const hasOwnProperty = Object.prototype.hasOwnProperty;
const isArray = Array.isArray;

const own = (value: object, key: string): boolean => apply(hasOwnProperty, value, [key]) as boolean;
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !isArray(value);

/** Where a path or a URL in text stops: a separator of parameters, plain or encoded. */
const PATH_END = /[?#;&]|%3[fFbB]|%2[36]/;
const URL_IN_TEXT = /(?:https?:)?\/\/[^\s"'<>]+/gi;
const SECRET_NAMES = "policy|signature|key-pair-id|token|sign|wsauthtoken|auth_id|sess|x-bc|app-token";
const SECRET_IN_TEXT = new RegExp(
  `(^|[?&;#\\s"'(]|&amp;|&#0*38;|&#x0*26;|%26|%3[fFbB])(?:${SECRET_NAMES})(?:=|%3[dD])[^&\\s"'<>;]*`,
  "gi",
);

const WEB: ReadonlySet<string> = new Set(["https:", "http:"]);
const SOCKETS: ReadonlySet<string> = new Set(["wss:", "ws:"]);

/** `raw` as a URL of origin and path only (an http(s) one by default), or null. */
export function stripUrl(raw: string, schemes: ReadonlySet<string> = WEB): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (!schemes.has(url.protocol)) return null;
  const end = url.pathname.search(PATH_END);
  return url.origin + (end === -1 ? url.pathname : url.pathname.slice(0, end));
}

/** `text` with every URL in it cut to scheme, host and path, and stray secret parameters out. */
export function scrubText(text: string): string {
  const cut = text.replace(URL_IN_TEXT, (found) => {
    const end = found.search(PATH_END);
    return end === -1 ? found : found.slice(0, end);
  });
  return cut.replace(SECRET_IN_TEXT, (_found, separator: string) => separator);
}

function primitive(value: unknown): unknown {
  if (typeof value === "string") return scrubText(value);
  if (value === null || typeof value === "number" || typeof value === "boolean") return value;
  return undefined;
}

function keep(rule: Rule, value: unknown): unknown {
  switch (rule) {
    case "value":
      return primitive(value);
    case "text":
      return typeof value === "string" ? scrubText(value) : primitive(value);
    case "url":
      return typeof value === "string" ? stripUrl(value) : value === null ? null : undefined;
    case "ids":
      return isArray(value) ? listOf(value, primitive) : undefined;
    default:
      if ("one" in rule) return shaped(rule.one, value);
      return isArray(value) ? listOf(value, (item) => shaped(rule.many, item)) : undefined;
  }
}

function listOf(items: unknown[], each: (item: unknown) => unknown): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < items.length; i += 1) {
    const kept = each(items[i]);
    if (kept !== undefined) out.push(kept);
  }
  return out;
}

/** A copy of `value` with the fields of `shape` only; undefined when it is not an object. */
export function shaped(shape: Shape, value: unknown): Record<string, unknown> | undefined {
  if (!isPlainObject(value)) return undefined;
  const out: Record<string, unknown> = {};
  for (const field of Object.keys(shape)) {
    if (!own(value, field)) continue;
    const kept = keep(shape[field] as Rule, value[field]);
    if (kept !== undefined) out[field] = kept;
  }
  return out;
}

/** `/users/list` answers a map `{<id>: user}` (or, in some versions, a page). */
function usersOf(body: unknown): unknown {
  if (!isPlainObject(body)) return null;
  if (own(body, "list")) return shaped(pageOf(USER), body) ?? null;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(body)) {
    const user = /^\d{1,20}$/.test(key) && own(body, key) ? shaped(USER, body[key]) : undefined;
    if (user) out[key] = user;
  }
  return out;
}

/** The capture's URL: origin, path and the query parameters the extension reads back. */
export function apiUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "";
  }
  const kept = new URLSearchParams();
  url.searchParams.forEach((value, name) => {
    if (API_PARAMS.has(name) && /^[\w.-]{0,64}$/.test(value)) kept.append(name, value);
  });
  const query = kept.toString().replace(/%5B%5D/g, "[]");
  return `${url.origin}${url.pathname}${query ? `?${query}` : ""}`;
}

/** A REST capture with only the allowed fields of its endpoint. */
export function redactHttp(capture: HttpCapture): HttpCapture {
  const { method, status } = capture;
  const match = matchEndpoint(method, capture.url);
  const ok = status >= 200 && status < 300;
  let responseBody: unknown = null;
  let requestBody: unknown = null;
  if (!ok) {
    responseBody = shaped(ERROR, capture.responseBody) ?? null;
  } else if (match?.endpoint === "me") {
    responseBody = shaped(USER, capture.responseBody) ?? null;
  } else if (match?.endpoint === "chat_list") {
    responseBody = shaped(pageOf(CHAT), capture.responseBody) ?? null;
  } else if (match?.endpoint === "messages") {
    const shape = method === "POST" ? MESSAGE : pageOf(MESSAGE);
    responseBody = shaped(shape, capture.responseBody) ?? null;
  } else if (match?.endpoint === "users_list") {
    responseBody = usersOf(capture.responseBody);
  }
  if (match?.endpoint === "messages" && method === "POST") {
    requestBody = shaped(SEND, capture.requestBody) ?? null;
  }
  return { url: apiUrl(capture.url), method, status, requestBody, responseBody };
}

/** A WebSocket capture with only the allowed fields of its frame, and no query on its URL. */
export function redactWs(capture: WsCapture): WsCapture {
  const frame = shaped(capture.direction === "in" ? FRAME_IN : FRAME_OUT, capture.frame) ?? null;
  return { url: stripUrl(capture.url, SOCKETS) ?? "", direction: capture.direction, frame };
}
