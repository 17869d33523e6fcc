/**
 * Wraps `XMLHttpRequest.prototype.open` and `send` (not the constructor, so `instanceof`,
 * statics such as `XMLHttpRequest.DONE`, and every event the page listens to stay native).
 * For chat endpoints one extra `loadend` listener reads the finished response; it never
 * changes `readyState`, `onload` or the order of the page's own listeners. Only requests to the
 * page's own origin count.
 */
import { isPageOrigin, matchEndpoint } from "../shared/endpoints";
import type { CaptureHub } from "./hub";
import { parseJson } from "./hub";
import { disguise, replaceProperty } from "./native";

interface Target {
  url: string;
  method: string;
  requestBody: unknown;
}

export interface XhrWindow {
  XMLHttpRequest: typeof XMLHttpRequest;
  EventTarget: typeof EventTarget;
  location: { href: string };
}

function responseJson(xhr: XMLHttpRequest): unknown {
  switch (xhr.responseType) {
    case "":
    case "text":
      return parseJson(xhr.responseText);
    case "json":
      // The page holds this very object: hand over a copy (redaction builds one anyway).
      return xhr.response === null ? null : (JSON.parse(JSON.stringify(xhr.response)) as unknown);
    default:
      return null;
  }
}

export function hookXhr(win: XhrWindow, hub: CaptureHub): void {
  const XHR = win.XMLHttpRequest;
  if (typeof XHR !== "function") return;
  const proto = XHR.prototype;
  const originalOpen = proto.open;
  const originalSend = proto.send;
  const addListener = win.EventTarget.prototype.addEventListener;
  const opened = new WeakMap<XMLHttpRequest, { url: string; method: string }>();
  const inFlight = new WeakMap<XMLHttpRequest, Target>();
  const listening = new WeakSet<XMLHttpRequest>();

  const onLoadEnd = function (this: XMLHttpRequest): void {
    const target = inFlight.get(this);
    if (!target) return;
    inFlight.delete(this);
    try {
      hub.http("xhr", { ...target, status: this.status, responseBody: responseJson(this) });
    } catch {
      // never disturb the page
    }
  };

  const open = {
    open(this: XMLHttpRequest, ...args: unknown[]): void {
      try {
        const [method, url] = args;
        const absolute = new URL(String(url), win.location.href).href;
        const verb = String(method).toUpperCase();
        const chat = isPageOrigin(absolute, win.location.href) && matchEndpoint(verb, absolute);
        if (chat) opened.set(this, { url: absolute, method: verb });
        else opened.delete(this);
      } catch {
        opened.delete(this);
      }
      return Reflect.apply(originalOpen, this, args) as void;
    },
  }.open;

  const send = {
    send(this: XMLHttpRequest, ...args: unknown[]): void {
      try {
        const request = opened.get(this);
        if (request) {
          const body = args[0];
          inFlight.set(this, { ...request, requestBody: parseJson(body) });
          if (!listening.has(this)) {
            listening.add(this);
            Reflect.apply(addListener, this, ["loadend", onLoadEnd]);
          }
        }
      } catch {
        // never disturb the page
      }
      return Reflect.apply(originalSend, this, args) as void;
    },
  }.send;

  replaceProperty(proto, "open", disguise(open, originalOpen));
  replaceProperty(proto, "send", disguise(send, originalSend));
}
