import { openDB } from "idb";
import { describe, expect, it } from "vitest";
import { queueCaptureState } from "../../src/background/backfill/coverage";
import { initialMeta } from "../../src/background/backfill/state";
import { Databases, DB_VERSION, dbName } from "../../src/background/db";
import type { CaptureStatePayload } from "../../src/gen/wss-incoming";

describe("the creator database", () => {
  it("upgrades a version-1 database in place: data kept, a history store and an installId added", async () => {
    const old = await openDB(dbName("300000"), 1, {
      upgrade(db) {
        db.createObjectStore("chats");
        db.createObjectStore("messages").createIndex("byChat", "chatId");
        db.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
        db.createObjectStore("executed", { keyPath: "commandId" });
        db.createObjectStore("meta");
      },
    });
    await old.put("chats", { withUser: { id: 400001 } }, 400001);
    await old.put("messages", { id: 1, chatId: 400001 }, 1);
    await old.add("outbox", { ref: "m-1", type: "new_raw_message", text: "{}", createdAt: 1 });
    await old.put("meta", { id: 300000 }, "me");
    old.close();

    const db = await new Databases().get("300000");
    expect(DB_VERSION).toBe(2);
    expect(db.version).toBe(2);
    expect(await db.get("chats", 400001)).toEqual({ withUser: { id: 400001 } });
    expect(await db.getAllFromIndex("messages", "byChat", 400001)).toHaveLength(1);
    expect(await db.count("outbox")).toBe(1);
    expect(await db.get("meta", "me")).toEqual({ id: 300000 });
    expect(await db.get("meta", "installId")).toMatch(/^[0-9a-f]{32}$/);
    expect(await db.count("history")).toBe(0);
  });

  it("gives every new database its own installId", async () => {
    const dbs = new Databases();
    const first = await (await dbs.get("1")).get("meta", "installId");
    await dbs.delete("1");
    const second = await (await dbs.get("1")).get("meta", "installId");
    expect(first).toMatch(/^[0-9a-f]{32}$/);
    expect(second).toMatch(/^[0-9a-f]{32}$/);
    expect(second).not.toBe(first);
  });
});

describe("capture_state reports", () => {
  it("list only the chats whose coverage changed, at most 1000 a frame, and then none until they change again", async () => {
    const db = await new Databases().get("300000");
    const tx = db.transaction(["history", "messages", "meta"], "readwrite");
    const dirty: number[] = [];
    for (let c = 0; c < 2500; c += 1) {
      const chatId = 400000 + c;
      dirty.push(chatId);
      void tx.objectStore("history").put(
        { chatId, oldestId: c * 10, oldestAt: 1_700_000_000_000 + c, newestId: c * 10 + 9, reachedStart: true, complete: true, pages: 1, topUp: null, failed: null, updatedAt: 0 },
        chatId,
      );
      if (c < 3) void tx.objectStore("messages").put({ id: c, chatId }, c);
    }
    void tx.objectStore("meta").put(dirty, "coverageDirty");
    await tx.done;
    const meta = { ...initialMeta(), state: "running" as const, listComplete: true, requests: 7 };
    expect(await queueCaptureState(db, meta, 1_700_000_000_000, 1_699_999_999_000)).toBe(3);
    expect(await queueCaptureState(db, meta, 1_700_000_002_000, null)).toBe(1);
    const frames = (await db.getAll("outbox")).map((e) => JSON.parse(e.text) as { type: string; payload: CaptureStatePayload });
    expect(frames.map((f) => f.type)).toEqual(["capture_state", "capture_state", "capture_state", "capture_state"]);
    expect(frames.map((f) => f.payload.chats?.length)).toEqual([1000, 1000, 500, 0]);
    expect(frames[0]?.payload).toMatchObject({
      at: 1_700_000_000_000,
      lastCaptureAt: 1_699_999_999_000,
      chatList: { complete: true, chatsKnown: 0 },
      backfill: { state: "running", requests: 7, chatsDone: 0, chatsTotal: 0, since: null, rateLimitedUntil: null, startedAt: null },
    });
    expect(frames[0]?.payload.chats?.[0]).toEqual({ chatId: 400000, complete: true, oldestMessageId: 0, oldestAt: 1_700_000_000_000, messages: 1 });
    expect(frames[2]?.payload.chats?.at(-1)).toMatchObject({ chatId: 402499, messages: 0 });
  });
});
