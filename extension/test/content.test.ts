import { JSDOM } from "jsdom";
import { describe, expect, it, vi } from "vitest";
import { installContentRelay, type RuntimeLike } from "../src/content";

function setup() {
  const dom = new JSDOM("", { url: "https://onlyfans.com/my/chats/" });
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
  const fromPage = (data: unknown, source: unknown = win, origin = "https://onlyfans.com") =>
    win.dispatchEvent(new win.MessageEvent("message", { data, source: source as Window, origin }));
  const fromBackground = (message: unknown, senderId = runtime.id) => {
    const sendResponse = vi.fn();
    listener?.(message, { id: senderId }, sendResponse);
    return sendResponse;
  };
  return { win, sent, fromPage, fromBackground };
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
});
