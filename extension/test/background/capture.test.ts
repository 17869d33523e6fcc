import { describe, expect, it } from "vitest";
import { applyEffects, chatUpdateBatches, interpret, mergeRecord } from "../../src/background/capture";
import { Databases } from "../../src/background/db";
import type { CaptureMessage } from "../../src/shared/protocol";

const CREATOR = 300000;
const OF = "https://onlyfans.com/api2/v2";

function http(method: string, path: string, responseBody: unknown, status = 200, requestBody: unknown = null): CaptureMessage {
  return { source: "_OF_FORWARDER_", event: "fetch", data: { url: `${OF}${path}`, method, status, requestBody, responseBody } };
}

function ws(frame: unknown, direction: "in" | "out" = "in"): CaptureMessage {
  return { source: "_OF_FORWARDER_", event: "websocket", data: { url: "wss://ws2.onlyfans.com/ws3/24", direction, frame } };
}

const fanMessage = (id: number, text: string, extra: Record<string, unknown> = {}) => ({
  responseType: "message",
  id,
  text,
  fromUser: { id: 400001, _view: "m" },
  createdAt: "2024-05-01T18:22:10+00:00",
  ...extra,
});

async function store(...captures: CaptureMessage[]) {
  const dbs = new Databases();
  const db = await dbs.get(String(CREATOR));
  const results = [];
  for (const capture of captures) {
    results.push(await applyEffects(db, interpret(capture, CREATOR), capture.event === "websocket" ? "websocket" : "fetch", 1_700_000_000_000));
  }
  return { db, results };
}

describe("interpreting captures", () => {
  it("reads chats from the chat list, with their last messages", () => {
    const effects = interpret(
      http("GET", "/chats?limit=10&offset=0&order=recent&skip_users=all", {
        list: [
          { withUser: { id: 400001, _view: "m" }, lastMessage: fanMessage(1, "<p>hi</p>"), unreadMessagesCount: 1 },
          { withUser: { id: 400002, _view: "m" }, lastMessage: null },
          { withUser: {} },
        ],
        hasMore: false,
      }),
      CREATOR,
    );
    expect(effects.chats.map((c) => (c.withUser as { id: number }).id)).toEqual([400001, 400002]);
    expect(effects.messages).toEqual([{ chatId: 400001, message: fanMessage(1, "<p>hi</p>") }]);
  });

  it("takes the chat id of REST messages from the URL", () => {
    const page = { list: [fanMessage(2, "a"), { ...fanMessage(1, "b"), fromUser: { id: CREATOR } }], hasMore: true };
    expect(interpret(http("GET", "/chats/400001/messages?limit=10&order=desc", page), CREATOR).messages.map((m) => m.chatId)).toEqual([400001, 400001]);
    const sent = { id: 9, text: "<p>x</p>", fromUser: { id: CREATOR } };
    expect(interpret(http("POST", "/chats/400001/messages", sent), CREATOR).messages).toEqual([{ chatId: 400001, message: sent }]);
  });

  it("ignores failed requests", () => {
    expect(interpret(http("POST", "/chats/400001/messages", { error: { code: 429 } }, 429), CREATOR).messages).toEqual([]);
  });

  it("files a fan's WebSocket message under the fan and skips the creator's own", () => {
    const fan = interpret(ws({ api2_chat_message: fanMessage(3, "tip", { isTip: true, price: 5 }) }), CREATOR);
    expect(fan.messages).toEqual([{ chatId: 400001, message: fanMessage(3, "tip", { isTip: true, price: 5 }) }]);
    const own = interpret(ws({ api2_chat_message: { id: 4, text: "mine", fromUser: { id: CREATOR } } }), CREATOR);
    expect(own.messages).toEqual([]);
    expect(interpret(ws({ chat_messages: 3 }), CREATOR).messages).toEqual([]);
    expect(interpret(ws({ act: "typing", typing_to: 1 }, "out"), CREATOR).messages).toEqual([]);
  });

  it("reads /users/me and /users/list", () => {
    expect(interpret(http("GET", "/users/me", { id: CREATOR, name: "C" }), null).me).toEqual({ id: CREATOR, name: "C" });
    expect(interpret(http("GET", "/users/list?m[]=400001", { "400001": { id: 400001, name: "Fan One" } }), CREATOR).users).toEqual([
      { id: 400001, name: "Fan One" },
    ]);
  });
});

describe("storing captures", () => {
  it("stores chats and messages and queues one new_raw_message per new message", async () => {
    const { db, results } = await store(
      http("GET", "/chats?limit=10", { list: [{ withUser: { id: 400001, _view: "m" }, lastMessage: fanMessage(1, "<p>hi</p>") }] }),
      http("GET", "/chats/400001/messages?limit=10", { list: [fanMessage(2, "<p>b</p>"), fanMessage(1, "<p>hi</p>")] }),
    );
    expect(results.map((r) => r.queued)).toEqual([2, 1]);
    expect(await db.getAllKeys("chats")).toEqual([400001]);
    expect(await db.get("messages", 2)).toMatchObject({ id: 2, chatId: 400001 });
    expect(await db.getAllFromIndex("messages", "byChat", 400001)).toHaveLength(2);
    const outbox = (await db.getAll("outbox")).filter((e) => e.type === "new_raw_message");
    expect(outbox.map((e) => JSON.parse(e.text))).toEqual([
      { type: "new_raw_message", ref: outbox[0]?.ref, payload: { chatId: 400001, source: "fetch", message: { ...fanMessage(1, "<p>hi</p>"), chatId: 400001 } } },
      { type: "new_raw_message", ref: outbox[1]?.ref, payload: { chatId: 400001, source: "fetch", message: { ...fanMessage(2, "<p>b</p>"), chatId: 400001 } } },
    ]);
    expect(new Set(outbox.map((e) => e.ref)).size).toBe(2);
  });

  it("queues a changed message again, an unchanged one never", async () => {
    const { db, results } = await store(
      http("GET", "/chats/400001/messages", { list: [fanMessage(1, "<p>hi</p>", { isOpened: false })] }),
      http("GET", "/chats/400001/messages", { list: [fanMessage(1, "<p>hi</p>", { isOpened: false })] }),
      http("GET", "/chats/400001/messages", { list: [fanMessage(1, "<p>hi</p>", { isOpened: true })] }),
      ws({ api2_chat_message: { ...fanMessage(1, "<p>hi</p>"), fromUser: { id: 400001, name: "Fan One" } } }),
      http("GET", "/chats/400001/messages", { list: [fanMessage(1, "<p>hi</p>", { isOpened: true })] }),
    );
    expect(results.map((r) => r.queued)).toEqual([1, 0, 1, 1, 0]);
    // The stub `{id, _view}` of a later page does not erase the full user the socket brought.
    expect((await db.get("messages", 1))?.fromUser).toEqual({ id: 400001, _view: "m", name: "Fan One" });
  });

  it("records likes and unsends as changes of the stored message", async () => {
    const { db, results } = await store(
      http("GET", "/chats/400001/messages", { list: [fanMessage(7, "<p>x</p>")] }),
      http("POST", "/messages/7/like", {}),
      http("DELETE", "/messages/7/like", {}),
      http("DELETE", "/messages/7", {}),
      http("DELETE", "/messages/8", {}),
    );
    expect(results.map((r) => r.queued)).toEqual([1, 1, 1, 1, 0]);
    expect(await db.get("messages", 7)).toMatchObject({ isLiked: false, isDeleted: true, deletedAt: "2023-11-14T22:13:20.000Z" });
  });

  it("enriches chats from /users/list and marks them read", async () => {
    const { db } = await store(
      http("GET", "/chats", { list: [{ withUser: { id: 400001, _view: "m" }, unreadMessagesCount: 3 }] }),
      http("GET", "/users/list?m[]=400001", { "400001": { id: 400001, name: "Fan One", username: "fanone" } }),
      http("POST", "/chats/400001/mark-as-read", { success: true }),
      http("GET", "/chats", { list: [{ withUser: { id: 400001, _view: "m" }, unreadMessagesCount: 0 }] }),
    );
    expect(await db.get("chats", 400001)).toEqual({
      withUser: { id: 400001, _view: "m", name: "Fan One", username: "fanone" },
      unreadMessagesCount: 0,
    });
  });

  it("merges without touching its inputs", () => {
    const a = { x: { y: 1 }, z: [1] };
    const b = { x: { w: 2 }, z: [2] };
    expect(mergeRecord(a, b)).toEqual({ x: { y: 1, w: 2 }, z: [2] });
    expect(a).toEqual({ x: { y: 1 }, z: [1] });
  });
});

describe("live chat list (chat_update)", () => {
  const chatUpdates = async (db: Awaited<ReturnType<typeof store>>["db"]) =>
    (await db.getAll("outbox"))
      .filter((e) => e.type === "chat_update")
      .map((e) => JSON.parse(e.text) as { type: string; ref: string; payload: { chats: Record<string, unknown>[] } });

  it("queues the stored record of every chat a capture changes, in the same transaction, and nothing for unchanged ones", async () => {
    const page = {
      list: [
        { withUser: { id: 400001, _view: "m" }, unreadMessagesCount: 1 },
        { withUser: { id: 400002, _view: "m" }, unreadMessagesCount: 0 },
      ],
      hasMore: false,
    };
    const { db, results } = await store(
      http("GET", "/chats?limit=10&offset=0", page),
      http("GET", "/chats?limit=10&offset=0", page),
      http("GET", "/chats?limit=10&offset=0", { list: [page.list[0], { ...page.list[1], unreadMessagesCount: 4, hasUnreadTips: true }] }),
    );
    expect(results.map((r) => r.chats)).toEqual([2, 0, 1]);
    const updates = await chatUpdates(db);
    expect(updates.map((u) => u.payload.chats)).toEqual([
      page.list,
      [{ withUser: { id: 400002, _view: "m" }, unreadMessagesCount: 4, hasUnreadTips: true }],
    ]);
    expect(updates[0]?.ref).toMatch(/^c-/);
    // A chat comes before its messages in the outbox.
    expect((await db.getAll("outbox")).map((e) => e.type)).toEqual(["chat_update", "chat_update"]);
  });

  it("queues the fan's name and avatar merged in from /users/list, once", async () => {
    const user = { id: 400001, name: "Fan One", username: "fanone", avatar: "https://public.onlyfans.com/a.jpg" };
    const { db, results } = await store(
      http("GET", "/chats", { list: [{ withUser: { id: 400001, _view: "m" }, unreadMessagesCount: 0 }] }),
      http("GET", "/users/list?m[]=400001&m[]=499999", { "400001": user, "499999": { id: 499999, name: "Not a chat" } }),
      http("GET", "/users/list?m[]=400001", { "400001": user }),
      http("GET", "/users/list?m[]=400001", { "400001": { ...user, name: "Fan 1" } }),
    );
    expect(results.map((r) => r.chats)).toEqual([1, 1, 0, 1]);
    const updates = await chatUpdates(db);
    expect(updates.map((u) => u.payload.chats)).toEqual([
      [{ withUser: { id: 400001, _view: "m" }, unreadMessagesCount: 0 }],
      [{ withUser: { ...user, _view: "m" }, unreadMessagesCount: 0 }],
      [{ withUser: { ...user, _view: "m", name: "Fan 1" }, unreadMessagesCount: 0 }],
    ]);
  });

  it("queues a mark-as-read that changed the counter, and not a repeated one", async () => {
    const { db, results } = await store(
      http("GET", "/chats", { list: [{ withUser: { id: 400001, _view: "m" }, unreadMessagesCount: 3, lastReadMessageId: 1 }] }),
      http("POST", "/chats/400001/mark-as-read", { success: true }),
      http("POST", "/chats/400001/mark-as-read", { success: true }),
      http("POST", "/chats/400009/mark-as-read", { success: true }),
    );
    expect(results.map((r) => r.chats)).toEqual([1, 1, 0, 0]);
    expect((await chatUpdates(db)).at(-1)?.payload.chats).toEqual([
      { withUser: { id: 400001, _view: "m" }, unreadMessagesCount: 0, lastReadMessageId: 1 },
    ]);
  });

  it("one entry per capture with all the chats it changed, at most 1000 per frame", async () => {
    const list = Array.from({ length: 2300 }, (_, i) => ({ withUser: { id: 500000 + i, _view: "m" }, unreadMessagesCount: 0 }));
    const { db } = await store(http("GET", "/chats?limit=2300", { list, hasMore: false }));
    const updates = await chatUpdates(db);
    expect(updates.map((u) => u.payload.chats.length)).toEqual([1000, 1000, 300]);
    expect(updates.flatMap((u) => u.payload.chats)).toEqual(list);
    const big = Array.from({ length: 20 }, (_, i) => ({ withUser: { id: i, about: "x".repeat(60_000) } }));
    const batches = chatUpdateBatches(big);
    expect(batches.length).toBeGreaterThan(1);
    for (const batch of batches) expect(JSON.stringify(batch).length).toBeLessThan(600_000);
  });
});
