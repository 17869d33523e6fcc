import { describe, expect, it } from "vitest";
import { Databases, type AgentDb } from "../../src/background/db";
import { planSnapshot, recordBudget, snapshotFrames, utf8Length } from "../../src/background/snapshot";

interface Payload {
  snapshot_id: string;
  part: number;
  parts: number;
  chats: { withUser: { id: number } }[];
  messages: { id: number; chatId: number }[];
}

/** A seeded pseudo-random generator, so sizes vary but runs repeat. */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

const PIECES = ["hello ", "😘 ", "€ ", "ü", "日本 ", "<p>", "</p>", '"quoted" ', "\\", "\u2028"];

async function seed(db: AgentDb, chats: number, messages: number, seedValue = 7): Promise<void> {
  const random = rng(seedValue);
  const text = (n: number) => Array.from({ length: n }, () => PIECES[Math.floor(random() * PIECES.length)]).join("");
  const tx = db.transaction(["chats", "messages"], "readwrite");
  for (let c = 0; c < chats; c += 1) {
    const id = 400000 + c;
    await tx.objectStore("chats").put({ withUser: { id, _view: "m", name: text(3) }, unreadMessagesCount: c % 3 }, id);
  }
  for (let m = 0; m < messages; m += 1) {
    const id = 5100000000000 + m;
    const chatId = 400000 + (m % chats);
    await tx.objectStore("messages").put({ id, chatId, text: text(Math.floor(random() * 120)), fromUser: { id: chatId } }, id);
  }
  await tx.done;
}

const INSTALL = "0123456789abcdef0123456789abcdef";

async function collect(db: AgentDb, max: number) {
  const plan = await planSnapshot(db, recordBudget(max));
  const frames = [];
  for await (const frame of snapshotFrames(db, plan, { snapshotId: "snap1", installId: INSTALL }, max)) frames.push(frame);
  return { plan, frames };
}

describe("snapshot parts", () => {
  it("are all within maxFrameBytes (UTF-8) and carry every record exactly once", async () => {
    const db = await new Databases().get("300000");
    await seed(db, 150, 3000);
    const max = 16_384;
    const { frames, plan } = await collect(db, max);
    expect(frames.length).toBeGreaterThan(10);
    expect(plan.skipped).toBe(0);
    const chatIds: number[] = [];
    const messageIds: number[] = [];
    frames.forEach((frame, index) => {
      expect(Buffer.byteLength(frame.text, "utf8")).toBeLessThanOrEqual(max);
      const parsed = JSON.parse(frame.text) as { type: string; ref: string; payload: Payload };
      expect(parsed.type).toBe("cache_update");
      expect(parsed.ref).toBe(`snap1:${index}`);
      expect(parsed.payload).toMatchObject({ snapshot_id: "snap1", installId: INSTALL, part: index, parts: frames.length });
      chatIds.push(...parsed.payload.chats.map((c) => c.withUser.id));
      messageIds.push(...parsed.payload.messages.map((m) => m.id));
    });
    expect(chatIds).toEqual((await db.getAllKeys("chats")) as number[]);
    expect(messageIds).toEqual((await db.getAllKeys("messages")) as number[]);
    // Parts are well filled: on average more than half the budget.
    const total = frames.reduce((sum, f) => sum + Buffer.byteLength(f.text), 0);
    expect(total / frames.length).toBeGreaterThan(max / 2);
  });

  it("is one empty part for an empty database", async () => {
    const db = await new Databases().get("300000");
    const { frames } = await collect(db, 4096);
    expect(frames.map((f) => JSON.parse(f.text))).toEqual([
      {
        type: "cache_update",
        ref: "snap1:0",
        payload: { snapshot_id: "snap1", installId: INSTALL, part: 0, parts: 1, chats: [], messages: [] },
      },
    ]);
  });

  it("leaves out a record that could never fit a frame, and counts it", async () => {
    const db = await new Databases().get("300000");
    await seed(db, 2, 20);
    await db.put("messages", { id: 1, chatId: 400000, text: "x".repeat(10_000) }, 1);
    const { frames, plan } = await collect(db, 4096);
    expect(plan.skipped).toBe(1);
    const ids = frames.flatMap((f) => (JSON.parse(f.text) as { payload: Payload }).payload.messages.map((m) => m.id));
    expect(ids).not.toContain(1);
    expect(ids).toHaveLength(20);
  });

  it("sheds records written between planning and sending rather than exceed the limit", async () => {
    const db = await new Databases().get("300000");
    await seed(db, 1, 200);
    const max = 4096;
    const plan = await planSnapshot(db, recordBudget(max));
    // Grow every message after planning: parts now hold more bytes than planned.
    const all = await db.getAll("messages");
    for (const m of all) await db.put("messages", { ...m, extra: "y".repeat(200) }, m.id as number);
    let shed = 0;
    for await (const frame of snapshotFrames(db, plan, { snapshotId: "s", installId: null }, max)) {
      expect(Buffer.byteLength(frame.text)).toBeLessThanOrEqual(max);
      shed += frame.shed;
    }
    expect(shed).toBeGreaterThan(0);
  });

  it("measures UTF-8 like the gateway does", () => {
    for (const text of ["", "abc", "é", "€", "😘", "a😘b€", "\ud800", "\udc00x", "x\ud83d"]) {
      expect(utf8Length(text)).toBe(Buffer.byteLength(text, "utf8"));
    }
  });
});
