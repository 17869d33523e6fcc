import { describe, expect, it, vi } from "vitest";
import type { Timing } from "../../src/page-hook/executor";
import { installPageHook } from "../../src/page-hook";
import { contentSide } from "../helpers/page-port";
import type { ForwarderMessage, SendMessageCommand } from "../../src/shared/protocol";
import { chatPage, type ChatPageOptions } from "../helpers/chat-page";

const FAST: Timing = {
  pollMs: 5,
  navigateMs: 300,
  settleMs: 5,
  composerMs: 300,
  priceMs: 300,
  enableMs: 300,
  editorMs: 200,
  responseMs: 200,
};

function command(overrides: Partial<SendMessageCommand> = {}): SendMessageCommand {
  return {
    commandId: "cmd-1",
    userId: 300000,
    chatId: 400001,
    text: "see you tonight?",
    price: null,
    mediaIds: [],
    origin: "analyst",
    createdAt: "2024-05-01T18:00:00Z",
    ...overrides,
  };
}

function setup(options: Partial<ChatPageOptions> = {}) {
  const page = chatPage({ chats: [400001, 400002], linked: [400001], ...options });
  const hook = installPageHook(page.win, FAST);
  return { page, hook };
}

describe("command execution through the page's composer", () => {
  it("opens the chat from its list link, types, sends, and reports the created message id", async () => {
    const { page, hook } = setup();
    const outcome = await hook.execute(command());
    expect(page.navigations).toEqual(["link:400001"]);
    expect(page.sends).toEqual([
      {
        chatId: 400001,
        body: { text: "<p>see you tonight?</p>", lockedText: false, mediaFiles: [], price: 0, previews: [] },
      },
    ]);
    expect(outcome).toEqual({ commandId: "cmd-1", status: "sent", detail: { messageId: 5100000000100 } });
  });

  it("recognises its own send when the text holds a link (captures cut the link's query)", async () => {
    const { page, hook } = setup();
    const outcome = await hook.execute(command({ text: "my link https://example.com/set?ref=abc&utm=1" }));
    expect(outcome.status).toBe("sent");
    expect(page.sends[0]?.body).toMatchObject({ text: "<p>my link https://example.com/set?ref=abc&amp;utm=1</p>" });
  });

  it("navigates with pushState + popstate when the chat is not in the rendered list", async () => {
    const { page, hook } = setup();
    const outcome = await hook.execute(command({ chatId: 400002 }));
    expect(page.navigations).toEqual(["popstate:/my/chats/chat/400002/"]);
    expect(outcome.status).toBe("sent");
    expect(page.sends[0]?.chatId).toBe(400002);
  });

  it("sets a price through the price dialog before sending", async () => {
    const { page, hook } = setup();
    const outcome = await hook.execute(command({ price: 12.5, text: "new set,\njust for you" }));
    expect(outcome.status).toBe("sent");
    expect(page.sends[0]?.body).toMatchObject({ price: 12.5, text: "<p>new set,</p><p>just for you</p>" });
  });

  it("works with the older textarea composer", async () => {
    const { page, hook } = setup({ legacyTextarea: true });
    const outcome = await hook.execute(command());
    expect(outcome.status).toBe("sent");
    expect(page.sends[0]?.body.text).toBe("<p>see you tonight?</p>");
  });

  it("reports a non-2xx response of the page's own send as failed", async () => {
    const { hook } = setup({
      respond: () => ({ status: 429, body: { error: { code: 429, message: "Too many requests" } } }),
    });
    const outcome = await hook.execute(command());
    expect(outcome).toEqual({
      commandId: "cmd-1",
      status: "failed",
      detail: { reason: "HTTP 429", httpStatus: 429, error: "Too many requests" },
    });
  });

  it("reports text left in the editor after send as failed", async () => {
    const { page, hook } = setup({ sendWorks: false });
    const outcome = await hook.execute(command());
    expect(outcome.status).toBe("failed");
    expect(outcome.detail).toMatchObject({ reason: "text still in the editor after send" });
    expect(page.sends).toHaveLength(0);
  });

  it("rejects a chat it cannot reach, without typing anything", async () => {
    const { page, hook } = setup();
    const outcome = await hook.execute(command({ chatId: 499999 }));
    expect(outcome).toMatchObject({ status: "rejected", detail: { reason: "chat not reachable" } });
    expect(page.sends).toHaveLength(0);
  });

  it("rejects media attachments and empty text", async () => {
    const { hook } = setup();
    expect((await hook.execute(command({ commandId: "m", mediaIds: [1] }))).status).toBe("rejected");
    expect((await hook.execute(command({ commandId: "e", text: "  " }))).status).toBe("rejected");
  });

  it("answers _OF_BACKEND_ messages on its private port once per commandId with a command_result", async () => {
    const { page, hook } = setup();
    hook.hub.subscribe(() => undefined);
    const content = contentSide(page.win);
    const results = () =>
      (content.posted as ForwarderMessage[]).filter((m) => m.source === "_OF_FORWARDER_" && m.event === "command_result");
    const deliver = (data: unknown) => content.send(data);
    const message = { source: "_OF_BACKEND_", type: "execute", command: command() };
    deliver(message);
    deliver(message);
    deliver({ source: "_OF_BACKEND_", type: "execute", command: { commandId: "bad" } });
    // A page script posting on the window is not the content script.
    page.win.dispatchEvent(
      new page.win.MessageEvent("message", {
        data: { ...message, command: command({ commandId: "from-the-page" }) },
        origin: "https://onlyfans.com",
        source: page.win as unknown as Window,
      }),
    );
    await vi.waitFor(() => expect(results().length).toBeGreaterThanOrEqual(1));
    await new Promise((r) => setTimeout(r, 100));
    expect(page.sends).toHaveLength(1);
    expect(results()).toHaveLength(1);
    expect(results()[0]?.data).toMatchObject({ commandId: "cmd-1", status: "sent" });
    // A later delivery of the same id re-reports, never re-sends.
    deliver(message);
    await vi.waitFor(() => expect(results()).toHaveLength(2));
    expect(page.sends).toHaveLength(1);
  });
});
