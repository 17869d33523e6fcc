/**
 * Wraps the `WebSocket` constructor with a Proxy: `new WebSocket(…)` (and `super(…)` from a
 * page subclass) builds a real native socket, with the page's prototype chain, statics
 * (`WebSocket.OPEN`), `name`, `length` and `prototype` untouched; `prototype.constructor`
 * points at the wrapper so `ws.constructor === WebSocket` still holds. Incoming frames are
 * observed through one extra `message` listener (the page's `onmessage` and listeners are
 * unaffected); outgoing ones through a wrapped `prototype.send`.
 *
 * Only sockets on the page's site (`wss://ws2.onlyfans.com`…) and only frames the browser
 * received count: a page script can open a socket to a server of its own, or dispatch a
 * made-up `message` event on the app's socket (`isTrusted` is false then, and cannot be faked).
 */
import { isPageSite } from "../shared/endpoints";
import type { CaptureHub } from "./hub";
import { parseJson } from "./hub";
import { disguise, replaceProperty } from "./native";

/** Heartbeats the OnlyFans client sends; not chat traffic. */
const HEARTBEAT_ACTS: ReadonlySet<string> = new Set(["get_onlines", "ping"]);
/** Keys of the unread-counters frame (it has no wrapper key). */
const COUNTER_KEYS = ["chat_messages", "count_priority_chat", "unread_tips"];

export interface WebSocketWindow {
  WebSocket: typeof WebSocket;
  EventTarget: typeof EventTarget;
  location: { hostname: string };
}

/** A frame the browser itself received (events made by scripts are not trusted). */
const received = (event: Event): boolean => event.isTrusted;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether an incoming frame is chat traffic: a chat message or the unread counters. */
export function isChatFrame(frame: unknown): boolean {
  if (!isObject(frame)) return false;
  return "api2_chat_message" in frame || COUNTER_KEYS.some((key) => key in frame);
}

/** Whether an outgoing frame is worth forwarding (everything but heartbeats). */
export function isForwardedOutgoing(frame: unknown): boolean {
  return isObject(frame) && !(typeof frame.act === "string" && HEARTBEAT_ACTS.has(frame.act));
}

export function hookWebSocket(win: WebSocketWindow, hub: CaptureHub, genuine: (event: Event) => boolean = received): void {
  const Native = win.WebSocket;
  if (typeof Native !== "function") return;
  const addListener = win.EventTarget.prototype.addEventListener;
  const proto = Native.prototype;
  const originalSend = proto.send;

  const urlOf = (socket: WebSocket): string => {
    try {
      return String(socket.url);
    } catch {
      return "";
    }
  };

  const host = win.location.hostname;
  const onMessage = function (this: WebSocket, event: MessageEvent): void {
    try {
      if (!genuine(event) || typeof event.data !== "string") return;
      const frame = parseJson(event.data);
      if (isChatFrame(frame)) hub.websocket({ url: urlOf(this), direction: "in", frame });
    } catch {
      // never disturb the page
    }
  };

  const Wrapped = new Proxy(Native, {
    construct(target, args, newTarget) {
      const socket = Reflect.construct(target, args, newTarget) as WebSocket;
      try {
        if (isPageSite(urlOf(socket), host)) Reflect.apply(addListener, socket, ["message", onMessage]);
      } catch {
        // never disturb the page
      }
      return socket;
    },
  });

  const send = {
    send(this: WebSocket, ...args: unknown[]): void {
      // Native first: a send that throws (socket not open) was never sent, so not captured.
      const result = Reflect.apply(originalSend, this, args) as void;
      try {
        const data = args[0];
        if (typeof data === "string" && isPageSite(urlOf(this), host)) {
          const frame = parseJson(data);
          if (isForwardedOutgoing(frame)) {
            hub.websocket({ url: urlOf(this), direction: "out", frame });
          }
        }
      } catch {
        // never disturb the page
      }
      return result;
    },
  }.send;

  replaceProperty(proto, "send", disguise(send, originalSend));
  replaceProperty(proto, "constructor", Wrapped);
  replaceProperty(win, "WebSocket", disguise(Wrapped, Native));
}
