import { describe, expect, it } from "vitest";
import { CaptureHub } from "../../src/page-hook/hub";
import { hookWebSocket } from "../../src/page-hook/websocket-hook";
import type { ForwarderMessage } from "../../src/shared/protocol";

/** Events the stand-in "browser" received (a script cannot make a trusted event). */
const TRUSTED = new WeakSet<Event>();

/** Stands in for the browser's WebSocket: a class with statics, prototype `send`, `onmessage`. */
class NativeSocket extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readonly url: string;
  readyState = 1;
  onmessage: ((event: MessageEvent) => void) | null = null;
  wire: string[] = [];

  constructor(url: string | URL, protocols?: string | string[]) {
    super();
    void protocols;
    this.url = String(url);
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new DOMException("Still in CONNECTING state.", "InvalidStateError");
    this.wire.push(data);
  }

  /** The server pushes a frame (`trusted`: the browser got it; else a script dispatched it). */
  receive(data: string, trusted = true): void {
    const event = new MessageEvent("message", { data });
    if (trusted) TRUSTED.add(event);
    this.onmessage?.(event);
    this.dispatchEvent(event);
  }
}

/** `genuine`: which events count as received; null: the hook's own check (`isTrusted`). */
function setup(genuine: ((event: Event) => boolean) | null = (event) => TRUSTED.has(event)) {
  const posted: ForwarderMessage[] = [];
  const win = { WebSocket: NativeSocket as unknown as typeof WebSocket, EventTarget, location: { hostname: "onlyfans.com" } };
  hookWebSocket(win, new CaptureHub((m) => posted.push(m)), genuine ?? undefined);
  const WS = win.WebSocket as unknown as typeof NativeSocket;
  return { WS, posted };
}

const chatMessage = {
  api2_chat_message: {
    id: 5100000000003,
    text: "<p>just tipped you</p>",
    price: 5,
    isTip: true,
    fromUser: { id: 400001, name: "Fan One" },
  },
};

describe("WebSocket wrapper", () => {
  it("builds real native sockets: instanceof, statics, constructor, prototype", () => {
    const { WS } = setup();
    const ws = new WS("wss://ws2.onlyfans.com/ws3/24");
    expect(ws).toBeInstanceOf(NativeSocket);
    expect(ws).toBeInstanceOf(WS);
    expect(Object.getPrototypeOf(ws)).toBe(NativeSocket.prototype);
    expect(WS.prototype).toBe(NativeSocket.prototype);
    expect(ws.constructor).toBe(WS);
    expect(WS.OPEN).toBe(1);
    expect(WS.CLOSED).toBe(3);
    expect(WS.name).toBe("NativeSocket");
    expect(WS.length).toBe(NativeSocket.length);
    expect(String(WS)).toBe(Function.prototype.toString.call(NativeSocket));
    expect(() => (WS as unknown as () => void)()).toThrow(TypeError);
  });

  it("supports page subclasses", () => {
    const { WS, posted } = setup();
    class PageSocket extends WS {
      hello(): string {
        return "hi";
      }
    }
    const ws = new PageSocket("wss://ws2.onlyfans.com/ws3/24");
    expect(ws).toBeInstanceOf(PageSocket);
    expect(ws).toBeInstanceOf(NativeSocket);
    expect(ws.hello()).toBe("hi");
    ws.receive(JSON.stringify(chatMessage));
    expect(posted).toHaveLength(1);
  });

  it("delivers every frame to onmessage and listeners, and captures chat frames", () => {
    const { WS, posted } = setup();
    const ws = new WS("wss://ws2.onlyfans.com/ws3/24");
    const viaProperty: string[] = [];
    const viaListener: string[] = [];
    ws.onmessage = (event) => viaProperty.push(event.data as string);
    ws.addEventListener("message", (event) => viaListener.push((event as MessageEvent).data as string));
    const frames = [
      JSON.stringify({ connected: true, v: "5.4.0" }),
      JSON.stringify(chatMessage),
      JSON.stringify({ chat_messages: 4, count_priority_chat: 0, unread_tips: 1 }),
      JSON.stringify({ online: [1, 2] }),
      "not json",
    ];
    for (const frame of frames) ws.receive(frame);
    expect(viaProperty).toEqual(frames);
    expect(viaListener).toEqual(frames);
    expect(posted.map((m) => m.data)).toEqual([
      { url: "wss://ws2.onlyfans.com/ws3/24", direction: "in", frame: chatMessage },
      { url: "wss://ws2.onlyfans.com/ws3/24", direction: "in", frame: { chat_messages: 4, count_priority_chat: 0, unread_tips: 1 } },
    ]);
  });

  it("sends what the page sends and captures it without the connect token or heartbeats", () => {
    const { WS, posted } = setup();
    const ws = new WS("wss://ws2.onlyfans.com/ws3/24?token=URLTOKEN");
    const frames = [
      JSON.stringify({ act: "connect", token: "CONNECT-TOKEN" }),
      JSON.stringify({ act: "get_onlines", ids: [] }),
      JSON.stringify({ act: "ping" }),
      JSON.stringify({ act: "typing", typing_to: 400001 }),
    ];
    for (const frame of frames) ws.send(frame);
    expect(ws.wire).toEqual(frames);
    expect(posted.map((m) => m.data)).toEqual([
      { url: "wss://ws2.onlyfans.com/ws3/24", direction: "out", frame: { act: "connect" } },
      { url: "wss://ws2.onlyfans.com/ws3/24", direction: "out", frame: { act: "typing", typing_to: 400001 } },
    ]);
    expect(JSON.stringify(posted)).not.toMatch(/CONNECT-TOKEN|URLTOKEN/);
  });

  it("lets a send on a closed socket throw as before, capturing nothing", () => {
    const { WS, posted } = setup();
    const ws = new WS("wss://ws2.onlyfans.com/ws3/24");
    ws.readyState = 0;
    expect(() => ws.send(JSON.stringify({ act: "typing", typing_to: 1 }))).toThrow(DOMException);
    expect(posted).toHaveLength(0);
    expect(NativeSocket.prototype.send.name).toBe("send");
  });

  it("captures only frames the browser received, on the page's own site", () => {
    const { WS, posted } = setup(null); // the real check: event.isTrusted
    const appSocket = new WS("wss://ws2.onlyfans.com/ws3/24");
    appSocket.receive(JSON.stringify(chatMessage)); // a script's dispatchEvent: not trusted
    expect(posted).toHaveLength(0);
    const trusted = setup();
    const elsewhere = new trusted.WS("wss://tips.evil.example/ws");
    elsewhere.receive(JSON.stringify(chatMessage));
    elsewhere.send(JSON.stringify({ act: "typing", typing_to: 1 }));
    const lookalike = new trusted.WS("wss://onlyfans.com.evil.example/ws");
    lookalike.receive(JSON.stringify(chatMessage));
    expect(trusted.posted).toHaveLength(0);
    new trusted.WS("wss://onlyfans.com/ws3/24").receive(JSON.stringify(chatMessage));
    expect(trusted.posted).toHaveLength(1);
  });
});
