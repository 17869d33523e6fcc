import { JSDOM } from "jsdom";
import { describe, expect, it, vi } from "vitest";
import { installContentRelay, type RuntimeLike } from "../src/content";
import { hookSide, nodeChannel } from "./helpers/page-port";

function setup(hookFirst = true) {
  const dom = new JSDOM("", { url: "https://onlyfans.com/my/chats/", pretendToBeVisual: true });
  const win = dom.window as unknown as Window & typeof globalThis;
  // Both scripts run at document_start; the manifest lists the hook first, either order works.
  let hook = hookFirst ? hookSide(win) : null;
  const sent: unknown[] = [];
  let listener: Parameters<RuntimeLike["onMessage"]["addListener"]>[0] | null = null;
  const runtime: RuntimeLike = {
    id: "ajigponlcdgmgdaljhhlillldadmmoik",
    sendMessage: (message) => {
      sent.push(message);
      return Promise.resolve(undefined);
    },
    onMessage: { addListener: (callback) => void (listener = callback) },
  };
  installContentRelay(win, runtime, nodeChannel);
  hook ??= hookSide(win);
  const port = hook.port();
  if (!port) throw new Error("the hook got no port");
  sent.splice(0); // the first visibility report (tested below)
  const received = hook.received;
  /** What the hook posts on its private port. */
  const fromHook = async (data: unknown) => {
    port.postMessage(data);
    await new Promise((r) => setTimeout(r, 10));
  };
  /** What any script of the page can do: post on the window. */
  const fromPage = (data: unknown, source: unknown = win, origin = "https://onlyfans.com") =>
    win.dispatchEvent(new win.MessageEvent("message", { data, source: source as Window, origin }));
  const fromBackground = (message: unknown, senderId = runtime.id) => {
    const sendResponse = vi.fn();
    listener?.(message, { id: senderId }, sendResponse);
    return sendResponse;
  };
  return { win, sent, fromHook, fromPage, fromBackground, runtime, received };
}

const capture = {
  source: "_OF_FORWARDER_",
  event: "fetch",
  data: { url: "https://onlyfans.com/api2/v2/users/me", method: "GET", status: 200, requestBody: null, responseBody: { id: 1 } },
};
const command = {
  commandId: "c1",
  userId: 300000,
  chatId: 400001,
  text: "hi",
  createdAt: "2024-05-01T00:00:00Z",
};

describe("content relay", () => {
  it("relays well-formed _OF_FORWARDER_ messages from the hook's private port", async () => {
    for (const hookFirst of [true, false]) {
      const { sent, fromHook } = setup(hookFirst);
      await fromHook(capture);
      await fromHook({ source: "_OF_FORWARDER_", event: "command_result", data: { commandId: "c1", status: "sent", detail: {} } });
      expect(sent).toEqual([
        capture,
        { source: "_OF_FORWARDER_", event: "command_result", data: { commandId: "c1", status: "sent", detail: {} } },
      ]);
    }
  });

  it("relays nothing a page script posts on the window, however well-formed", async () => {
    const { sent, fromPage } = setup();
    fromPage(capture);
    fromPage({ source: "_OF_FORWARDER_", event: "command_result", data: { commandId: "c1", status: "sent", detail: {} } });
    await new Promise((r) => setTimeout(r, 10));
    expect(sent).toEqual([]);
  });

  it("hands its port over once: a page script asking later gets nothing", async () => {
    const { win, sent } = setup();
    const late = hookSide(win); // a page script doing what the hook does, after it
    expect(late.port()).toBeNull();
    win.document.dispatchEvent(new win.CustomEvent("ofca-agent:hook-ready"));
    expect(late.port()).toBeNull();
    expect(sent).toEqual([]);
  });

  it("drops messages of the wrong shape from the port", async () => {
    const { sent, fromHook } = setup();
    await fromHook({ ...capture, event: "cookies" });
    await fromHook({ ...capture, data: { url: 1 } });
    await fromHook({ source: "_OF_FORWARDER_", event: "command_result", data: { commandId: "c1", status: "done" } });
    await fromHook("_OF_FORWARDER_");
    expect(sent).toEqual([]);
  });

  it("sends execute requests from the extension to the hook's port as _OF_BACKEND_", async () => {
    const { win, fromBackground, received } = setup();
    const onWindow: unknown[] = [];
    win.addEventListener("message", (event: MessageEvent) => onWindow.push(event.data));
    const response = fromBackground({ type: "execute", command });
    expect(response).toHaveBeenCalledWith({ ok: true });
    await vi.waitFor(() => expect(received).toEqual([{ source: "_OF_BACKEND_", type: "execute", command }]));
    expect(onWindow).toEqual([]); // the page does not see commands go by
  });

  it("ignores execute requests from elsewhere or with an invalid command", async () => {
    const { fromBackground, received } = setup();
    fromBackground({ type: "execute", command }, "another-extension");
    fromBackground({ type: "execute", command: { ...command, text: 5 } });
    await new Promise((r) => setTimeout(r, 20));
    expect(received).toEqual([]);
  });

  it("sends a backfill step from the extension to the hook, and nothing malformed", async () => {
    const { fromBackground, received } = setup();
    const step = { stepId: "s-1", action: "messages", chatId: 400001, beforeId: 5100000000001 };
    expect(fromBackground({ type: "backfill_step", step })).toHaveBeenCalledWith({ ok: true });
    fromBackground({ type: "backfill_step", step }, "another-extension");
    fromBackground({ type: "backfill_step", step: { ...step, action: "deleteChat" } });
    fromBackground({ type: "backfill_step", step: { stepId: "s-2", action: "users", ids: Array.from({ length: 101 }, (_, i) => i) } });
    fromBackground({ type: "backfill_step", step: { stepId: "s-3", action: "chats", offset: -1 } });
    await vi.waitFor(() => expect(received).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 20));
    expect(received).toEqual([{ source: "_OF_BACKEND_", type: "backfill_step", step }]);
  });

  it("relays a step's result from the hook", async () => {
    const { sent, fromHook } = setup();
    const result = {
      stepId: "s-1", ok: true, status: null, retryAfter: null, error: null, hasMore: true, nextOffset: null,
      count: 2, ids: [2, 1], oldestId: 1, oldestAt: 1_714_583_100_000, newestId: 2,
    };
    await fromHook({ source: "_OF_FORWARDER_", event: "backfill_result", data: result });
    await fromHook({ source: "_OF_FORWARDER_", event: "backfill_result", data: { ...result, ids: "all" } });
    expect(sent).toEqual([{ source: "_OF_FORWARDER_", event: "backfill_result", data: result }]);
  });

  it("answers a probe with the tab's visibility and reports every change", () => {
    const { win, sent, fromBackground } = setup();
    expect(fromBackground({ type: "probe" })).toHaveBeenCalledWith({ visible: true });
    Object.defineProperty(win.document, "visibilityState", { value: "hidden", configurable: true });
    win.document.dispatchEvent(new win.Event("visibilitychange"));
    expect(sent).toEqual([{ type: "tab_visibility", visible: false }]);
    expect(fromBackground({ type: "probe" })).toHaveBeenCalledWith({ visible: false });
    expect(fromBackground({ type: "probe" }, "another-extension")).not.toHaveBeenCalled();
  });

  it("reports its tab's visibility as soon as it loads (a paused backfill may wait for it)", () => {
    const dom = new JSDOM("", { url: "https://onlyfans.com/my/chats/", pretendToBeVisual: true });
    const sent: unknown[] = [];
    installContentRelay(
      dom.window as unknown as Window,
      { id: "x", sendMessage: async (message) => void sent.push(message), onMessage: { addListener: () => undefined } },
      nodeChannel,
    );
    expect(sent).toEqual([{ type: "tab_visibility", visible: true }]);
  });
});
