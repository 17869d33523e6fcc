/**
 * Wraps `fetch` without changing what the page sees: the page gets the very promise the
 * original returned (same response, same error, same timing). For chat endpoints a
 * `response.clone()` is read on the side; the clone is taken in a reaction registered before
 * the page can register its own, so the page's body is never "already used" and its stream is
 * untouched. Only requests to the page's own origin count: what another server answers a page
 * script is not OnlyFans'.
 */
import { isPageOrigin, matchEndpoint } from "../shared/endpoints";
import type { CaptureHub } from "./hub";
import { parseJson } from "./hub";
import { disguise, replaceProperty } from "./native";

interface Pending {
  url: string;
  method: string;
  requestBody: Promise<unknown>;
}

export interface FetchWindow {
  fetch: typeof fetch;
  location: { href: string };
  Request: typeof Request;
}

function describe(win: FetchWindow, args: unknown[]): Pending | null {
  const [input, init] = args as [unknown, RequestInit | undefined];
  const isRequest = typeof win.Request === "function" && input instanceof win.Request;
  const url = isRequest ? (input as Request).url : String(input);
  const method = (init?.method ?? (isRequest ? (input as Request).method : "GET")).toUpperCase();
  const absolute = new URL(url, win.location.href).href;
  if (!isPageOrigin(absolute, win.location.href) || !matchEndpoint(method, absolute)) return null;
  let requestBody: Promise<unknown> = Promise.resolve(null);
  if (init?.body !== undefined && init.body !== null) {
    requestBody = Promise.resolve(typeof init.body === "string" ? parseJson(init.body) : null);
  } else if (isRequest && method !== "GET" && method !== "HEAD") {
    // Read a copy now: the original's body is consumed once fetch starts.
    const copy = (input as Request).clone();
    requestBody = copy.text().then(parseJson, () => null);
  }
  return { url: absolute, method, requestBody };
}

function observe(hub: CaptureHub, pending: Pending, result: Promise<Response>): void {
  result.then(
    (response) => {
      let copy: Response;
      try {
        copy = response.clone();
      } catch {
        return;
      }
      const responseBody = copy.text().then(parseJson, () => null);
      void Promise.all([pending.requestBody, responseBody])
        .then(([requestBody, body]) => {
          hub.http("fetch", {
            url: pending.url,
            method: pending.method,
            status: response.status,
            requestBody,
            responseBody: body,
          });
        })
        .catch(() => undefined);
    },
    () => {
      // The page gets the network error as is; we only note that nothing came back.
      void pending.requestBody
        .then((requestBody) => {
          hub.http("fetch", { ...pending, status: 0, requestBody, responseBody: null });
        })
        .catch(() => undefined);
    },
  );
}

/** Install the wrapper on `win`; returns the original, unpatched `fetch`. */
export function hookFetch(win: FetchWindow, hub: CaptureHub): typeof fetch {
  const original = win.fetch;
  if (typeof original !== "function") return original;
  const wrapper = {
    fetch(this: unknown, ...args: unknown[]): Promise<Response> {
      let pending: Pending | null = null;
      try {
        pending = describe(win, args);
      } catch {
        pending = null;
      }
      const result = Reflect.apply(original, this, args) as Promise<Response>;
      if (pending && result && typeof result.then === "function") {
        try {
          observe(hub, pending, result);
        } catch {
          // never disturb the page
        }
      }
      return result;
    },
  }.fetch;
  replaceProperty(win, "fetch", disguise(wrapper, original));
  return original;
}
