import { JSDOM } from "jsdom";
import { describe, expect, it, vi } from "vitest";
import { installContentRelay, type RuntimeLike } from "../src/content";

function setup() {
  const dom = new JSDOM("", { url: "https://onlyfans.com/my/chats/", pretendToBeVisual: true });
  const win = dom.window as unknown as Window & typeof globalThis;
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
  installContentRelay(win, runtime);
  sent.splice(0); // the first visibility report (tested below)
  const fromPage = (data: unknown, source: unknown = win, origin = "https://onlyfans.com") =>
    win.dispatchEvent(new win.MessageEvent("message", { data, source: source as Window, origin }));
  const fromBackground = (message: unknown, senderId = runtime.id) => {
    const sendResponse = vi.fn();
    listener?.(message, { id: senderId }, sendResponse);
    return sendResponse;
  };
  return { win, sent, fromPage, fromBackground, runtime };
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
  it("relays well-formed _OF_FORWARDER_ messages from this window to the background", () => {
    const { sent, fromPage } = setup();
    fromPage(capture);
    fromPage({ source: "_OF_FORWARDER_", event: "command_result", data: { commandId: "c1", status: "sent", detail: {} } });
    expect(sent).toEqual([
      capture,
      { source: "_OF_FORWARDER_", event: "command_result", data: { commandId: "c1", status: "sent", detail: {} } },
    ]);
  });

  it("drops messages from another window, another origin, or of the wrong shape", () => {
    const { sent, fromPage } = setup();
    fromPage(capture, null);
    fromPage(capture, undefined, "https://evil.example");
    fromPage({ ...capture, event: "cookies" });
    fromPage({ ...capture, data: { url: 1 } });
    fromPage({ source: "_OF_FORWARDER_", event: "command_result", data: { commandId: "c1", status: "done" } });
    fromPage("_OF_FORWARDER_");
    expect(sent).toEqual([]);
  });

  it("posts execute requests from the extension to the page as _OF_BACKEND_", async () => {
    const { win, fromBackground } = setup();
    const seen: unknown[] = [];
    win.addEventListener("message", (event: MessageEvent) => seen.push(event.data));
    const response = fromBackground({ type: "execute", command });
    expect(response).toHaveBeenCalledWith({ ok: true });
    await vi.waitFor(() => expect(seen).toEqual([{ source: "_OF_BACKEND_", type: "execute", command }]));
  });

  it("ignores execute requests from elsewhere or with an invalid command", async () => {
    const { win, fromBackground } = setup();
    const seen: unknown[] = [];
    win.addEventListener("message", (event: MessageEvent) => seen.push(event.data));
    fromBackground({ type: "execute", command }, "another-extension");
    fromBackground({ type: "execute", command: { ...command, text: 5 } });
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual([]);
  });

  it("posts a backfill step from the extension to the page, and nothing malformed", async () => {
    const { win, fromBackground } = setup();
    const seen: unknown[] = [];
    win.addEventListener("message", (event: MessageEvent) => seen.push(event.data));
    const step = { stepId: "s-1", action: "messages", chatId: 400001, beforeId: 5100000000001 };
    expect(fromBackground({ type: "backfill_step", step })).toHaveBeenCalledWith({ ok: true });
    fromBackground({ type: "backfill_step", step }, "another-extension");
    fromBackground({ type: "backfill_step", step: { ...step, action: "deleteChat" } });
    fromBackground({ type: "backfill_step", step: { stepId: "s-2", action: "users", ids: Array.from({ length: 101 }, (_, i) => i) } });
    fromBackground({ type: "backfill_step", step: { stepId: "s-3", action: "chats", offset: -1 } });
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual([{ source: "_OF_BACKEND_", type: "backfill_step", step }]);
  });

  it("relays a step's result from the page", () => {
    const { sent, fromPage } = setup();
    const result = {
      stepId: "s-1", ok: true, status: null, retryAfter: null, error: null, hasMore: true, nextOffset: null,
      count: 2, ids: [2, 1], oldestId: 1, oldestAt: 1_714_583_100_000, newestId: 2,
    };
    fromPage({ source: "_OF_FORWARDER_", event: "backfill_result", data: result });
    fromPage({ source: "_OF_FORWARDER_", event: "backfill_result", data: { ...result, ids: "all" } });
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
    installContentRelay(dom.window as unknown as Window, {
      id: "x",
      sendMessage: async (message) => void sent.push(message),
      onMessage: { addListener: () => undefined },
    });
    expect(sent).toEqual([{ type: "tab_visibility", visible: true }]);
  });
});
