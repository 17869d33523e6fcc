import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BrainConnection } from "../../src/background/connection";
import { Databases } from "../../src/background/db";
import { Outbox } from "../../src/background/outbox";
import { Syncer } from "../../src/background/sync";
import { FakeSocket, until } from "../helpers/fake-brain";

const CREATOR = "300000";
const logs: { event: string; fields?: Record<string, unknown> }[] = [];
const log = (event: string, fields?: Record<string, unknown>) => void logs.push({ event, fields });

beforeEach(() => {
  FakeSocket.reset();
  logs.length = 0;
});

const live: BrainConnection[] = [];
afterEach(() => {
  for (const conn of live.splice(0)) conn.close();
});

async function setup(entries: number, maxFrameBytes = 1 << 20) {
  const dbs = new Databases();
  const outbox = new Outbox(dbs);
  for (let i = 1; i <= entries; i += 1) {
    await outbox.append(CREATOR, {
      type: "new_raw_message",
      ref: `m-${i}`,
      payload: { chatId: 400001, source: "fetch", message: { id: i, chatId: 400001 } },
    });
  }
  const conn = new BrainConnection("ws://brain/ws/agent?token=t", {
    WebSocketCtor: FakeSocket as unknown as typeof WebSocket,
    ackTimeoutMs: 2_000,
    keepaliveMs: 60_000,
    log,
  });
  live.push(conn);
  const socket = FakeSocket.latest();
  socket.accept(CREATOR, maxFrameBytes);
  expect(await conn.open()).toMatchObject({ maxFrameBytes, userIds: [CREATOR] });
  const syncer = new Syncer({ dbs, outbox, log, retryDelayMs: () => 20, now: Date.now });
  const running = syncer.run(conn, CREATOR);
  return { dbs, outbox, conn, socket, syncer, running };
}

const refs = (socket: FakeSocket) => socket.data().map((f) => f.ref);
const outboxRefs = async (outbox: Outbox) => (await outbox.all(CREATOR)).map((e) => e.ref);

describe("the outbox on the Brain socket", () => {
  it("sends the snapshot first, then entries one at a time in order, deleting each only on its ingest_ack", async () => {
    const { socket, outbox } = await setup(3);
    await until(() => socket.data().length === 1, 3000, "snapshot");
    const snapshot = socket.data()[0];
    expect(snapshot).toMatchObject({ type: "cache_update", payload: { part: 0, parts: 1 } });
    // Nothing else goes out before the snapshot's receipt.
    await new Promise((r) => setTimeout(r, 30));
    expect(socket.data()).toHaveLength(1);
    socket.ack(snapshot?.ref, "cache_update");

    await until(() => socket.data().length === 2, 3000, "first entry");
    expect(refs(socket)[1]).toBe("m-1");
    // A receipt for some other ref neither deletes nor advances.
    socket.ack("m-2");
    socket.ack("unrelated");
    await new Promise((r) => setTimeout(r, 30));
    expect(socket.data()).toHaveLength(2);
    expect(await outboxRefs(outbox)).toEqual(["m-1", "m-2", "m-3"]);

    socket.ack("m-1");
    await until(() => socket.data().length === 3, 3000, "second entry");
    expect(await outboxRefs(outbox)).toEqual(["m-2", "m-3"]);
    socket.ack("m-2");
    await until(() => socket.data().length === 4, 3000, "third entry");
    socket.ack("m-3");
    await new Promise((r) => setTimeout(r, 20));
    expect(refs(socket)).toEqual([snapshot?.ref, "m-1", "m-2", "m-3"]);
    expect(await outboxRefs(outbox)).toEqual([]);
  });

  it("keeps an entry the Brain could not store (unavailable) and sends the same bytes again", async () => {
    const { socket, outbox } = await setup(2);
    await until(() => socket.data().length === 1);
    socket.ack(socket.data()[0]?.ref, "cache_update");
    await until(() => socket.data().length === 2);
    socket.fail("m-1", "unavailable");
    await until(() => socket.data().length === 3, 3000, "retry");
    const texts = socket.sent.filter((t) => !t.includes('"sync_hello"'));
    expect(texts[2]).toBe(texts[1]);
    expect(await outboxRefs(outbox)).toEqual(["m-1", "m-2"]);
    socket.ack("m-1");
    await until(() => socket.data().length === 4);
    expect(refs(socket).slice(1)).toEqual(["m-1", "m-1", "m-2"]);
    expect(await outboxRefs(outbox)).toEqual(["m-2"]);
  });

  it("drops an entry the Brain refuses for good, with a log, and goes on", async () => {
    const { socket, outbox, syncer } = await setup(2);
    await until(() => socket.data().length === 1);
    socket.ack(socket.data()[0]?.ref, "cache_update");
    await until(() => socket.data().length === 2);
    socket.fail("m-1", "invalid_payload");
    await until(() => socket.data().length === 3);
    expect(refs(socket)[2]).toBe("m-2");
    expect(await outboxRefs(outbox)).toEqual(["m-2"]);
    expect(syncer.stats.dropped).toBe(1);
    expect(logs.some((l) => l.event === "frame_dropped" && l.fields?.code === "invalid_payload")).toBe(true);
  });

  it("keeps the entry in flight when the socket closes, and stops", async () => {
    const { socket, outbox, running } = await setup(2);
    await until(() => socket.data().length === 1);
    socket.ack(socket.data()[0]?.ref, "cache_update");
    await until(() => socket.data().length === 2);
    socket.serverClose();
    await running;
    expect(await outboxRefs(outbox)).toEqual(["m-1", "m-2"]);
  });

  it("sends entries appended while idle", async () => {
    const { socket, outbox } = await setup(0);
    socket.autoAck();
    await until(() => socket.data().length === 1);
    await new Promise((r) => setTimeout(r, 20));
    await outbox.append(CREATOR, { type: "new_raw_message", ref: "late", payload: { chatId: 1, source: "websocket", message: { id: 1 } } });
    await until(() => refs(socket).includes("late"), 3000, "late entry");
    await new Promise((r) => setTimeout(r, 20));
    expect(await outboxRefs(outbox)).toEqual([]);
  });

  it("sends a multi-part snapshot part by part, each after the previous receipt", async () => {
    const dbs = new Databases();
    const db = await dbs.get(CREATOR);
    for (let i = 0; i < 400; i += 1) await db.put("messages", { id: i, chatId: 1, text: "z".repeat(100) }, i);
    FakeSocket.reset();
    const outbox = new Outbox(dbs);
    const conn = new BrainConnection("ws://brain/ws/agent?token=t", {
      WebSocketCtor: FakeSocket as unknown as typeof WebSocket,
      ackTimeoutMs: 2_000,
      keepaliveMs: 60_000,
      log,
    });
    live.push(conn);
    const socket = FakeSocket.latest();
    socket.accept(CREATOR, 8192);
    await conn.open();
    const inFlight: number[] = [];
    socket.onSend = (frame) => {
      inFlight.push(socket.data().length);
      setTimeout(() => socket.ack(frame.ref, frame.type), 1);
    };
    const syncer = new Syncer({ dbs, outbox, log, retryDelayMs: () => 20, now: Date.now });
    const ok = await syncer.sendSnapshot(conn, CREATOR);
    expect(ok).toBe(true);
    const parts = socket.data();
    expect(parts.length).toBeGreaterThan(4);
    for (const text of socket.sent) expect(Buffer.byteLength(text)).toBeLessThanOrEqual(8192);
    expect(parts.map((p) => p.payload.part)).toEqual(parts.map((_, i) => i));
    expect(parts.flatMap((p) => p.payload.messages.map((m: { id: number }) => m.id))).toHaveLength(400);
    expect(syncer.stats.snapshotRecords).toBe(400);
  });
});

describe("the connection", () => {
  it("sends a keepalive while open", async () => {
    const conn = new BrainConnection("ws://brain/ws/agent?token=t", {
      WebSocketCtor: FakeSocket as unknown as typeof WebSocket,
      ackTimeoutMs: 2_000,
      keepaliveMs: 10,
      log,
    });
    live.push(conn);
    FakeSocket.latest().accept();
    await conn.open();
    await until(() => FakeSocket.latest().frames().filter((f) => f.type === "keepalive").length >= 2);
    expect(FakeSocket.latest().frames()[0]).toEqual({ type: "keepalive", payload: {} });
    conn.close();
    const count = FakeSocket.latest().sent.length;
    await new Promise((r) => setTimeout(r, 30));
    expect(FakeSocket.latest().sent.length).toBe(count);
  });

  it("builds the agent URL from the Brain URL and token", async () => {
    const { agentSocketUrl } = await import("../../src/background/connection");
    expect(agentSocketUrl("ws://127.0.0.1:8000/", "a.b+c")).toBe("ws://127.0.0.1:8000/ws/agent?token=a.b%2Bc");
    expect(agentSocketUrl("https://brain.example", "t")).toBe("wss://brain.example/ws/agent?token=t");
  });
});
