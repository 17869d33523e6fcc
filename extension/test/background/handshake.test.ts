import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BrainConnection } from "../../src/background/connection";
import { Databases } from "../../src/background/db";
import { readIdentity } from "../../src/background/handshake";
import { Outbox } from "../../src/background/outbox";
import { Syncer } from "../../src/background/sync";
import { FakeSocket, until, type HelloPolicy } from "../helpers/fake-brain";

const CREATOR = "300000";
const live: BrainConnection[] = [];
const noLog = () => undefined;

beforeEach(() => FakeSocket.reset());
afterEach(() => {
  for (const conn of live.splice(0)) conn.close();
});

async function database(messages = 3) {
  const dbs = new Databases();
  const db = await dbs.get(CREATOR);
  for (let i = 1; i <= messages; i += 1) await db.put("messages", { id: i, chatId: 400001, text: `m${i}` }, i);
  return { dbs, db, outbox: new Outbox(dbs) };
}

/** One connection: connect, let the Syncer run on it, return the socket. */
async function connect(
  dbs: Databases,
  outbox: Outbox,
  hello: HelloPolicy = "brain",
  options: { autoAck?: boolean; helloTimeoutMs?: number; maxFrameBytes?: number } = {},
) {
  const conn = new BrainConnection("ws://brain/ws/agent?token=t", {
    WebSocketCtor: FakeSocket as unknown as typeof WebSocket,
    ackTimeoutMs: 2_000,
    keepaliveMs: 60_000,
    log: noLog,
  });
  live.push(conn);
  const socket = FakeSocket.latest();
  socket.hello = hello;
  if (options.autoAck ?? true) socket.autoAck();
  socket.accept(CREATOR, options.maxFrameBytes ?? 1 << 20);
  await conn.open();
  const syncer = new Syncer({
    dbs,
    outbox,
    log: noLog,
    retryDelayMs: () => 10,
    now: Date.now,
    helloTimeoutMs: options.helloTimeoutMs ?? 2_000,
  });
  const running = syncer.run(conn, CREATOR);
  return { socket, syncer, conn, running };
}

const snapshots = (socket: FakeSocket) => socket.data().filter((f) => f.type === "cache_update");
const pause = (ms = 30) => new Promise((r) => setTimeout(r, ms));

describe("the resume handshake", () => {
  it("a new database says hello with its installId and no snapshot, then sends the full snapshot with the installId and remembers it once acknowledged", async () => {
    const { dbs, db, outbox } = await database(80);
    const { installId, syncedSnapshotId } = await readIdentity(db);
    expect(installId).toMatch(/^[0-9a-f]{32}$/);
    expect(syncedSnapshotId).toBeNull();
    const { socket } = await connect(dbs, outbox, "brain", { maxFrameBytes: 2048 });
    const lastPart = () => socket.data().at(-1)?.payload;
    await until(() => lastPart() !== undefined && lastPart().part === lastPart().parts - 1, 3000, "all parts");
    expect(socket.frames()[0]).toEqual({ type: "sync_hello", ref: expect.any(String), payload: { installId, snapshotId: null } });
    const parts = snapshots(socket);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.payload.installId).toBe(installId);
    await until(() => FakeSocket.records.get(installId) !== undefined);
    await pause();
    expect((await readIdentity(db)).syncedSnapshotId).toBe(parts[0]?.payload.snapshot_id);
  });

  it("incremental: a reconnect sends only the outbox, never the database again", async () => {
    const { dbs, db, outbox } = await database();
    const first = await connect(dbs, outbox);
    await until(() => snapshots(first.socket).length === 1);
    await until(() => FakeSocket.records.size === 1);
    await pause();
    first.conn.close();
    await first.running;
    await outbox.append(CREATOR, { type: "new_raw_message", ref: "m-new", payload: { chatId: 400001, source: "fetch", message: { id: 9 } } });
    const second = await connect(dbs, outbox);
    await until(() => second.socket.data().length === 1, 3000, "the outbox entry");
    await pause();
    expect(second.socket.hellos()[0]?.payload.snapshotId).toBe((await readIdentity(db)).syncedSnapshotId);
    expect(second.socket.data().map((f) => f.ref)).toEqual(["m-new"]);
    expect(second.syncer.stats.lastHello).toEqual({ mode: "incremental", reason: "resume" });
  });

  it("fenced: takes a new installId before sending the full snapshot under it", async () => {
    const { dbs, db, outbox } = await database();
    const before = await readIdentity(db);
    // Another copy of this database synced under the same installId since.
    FakeSocket.records.set(before.installId, "someone-elses-snapshot");
    const { socket } = await connect(dbs, outbox);
    await until(() => snapshots(socket).length === 1);
    const after = await readIdentity(db);
    expect(socket.hellos()[0]?.payload.installId).toBe(before.installId);
    expect(after.installId).toMatch(/^[0-9a-f]{32}$/);
    expect(after.installId).not.toBe(before.installId);
    expect(snapshots(socket)[0]?.payload.installId).toBe(after.installId);
    await until(() => FakeSocket.records.get(after.installId) !== undefined);
    expect(FakeSocket.records.get(before.installId)).toBe("someone-elses-snapshot");
  });

  it("falls back to a full snapshot when no sync_state comes in time", async () => {
    const { dbs, outbox } = await database();
    const started = Date.now();
    const { socket, syncer } = await connect(dbs, outbox, "ignore", { helloTimeoutMs: 100 });
    await until(() => snapshots(socket).length === 1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(syncer.stats.lastHello).toEqual({ mode: "full", reason: "fallback" });
  });

  it("falls back to a full snapshot at once when an older Brain refuses the hello", async () => {
    const { dbs, outbox } = await database();
    const started = Date.now();
    const { socket } = await connect(dbs, outbox, "refuse", { helloTimeoutMs: 5_000 });
    await until(() => snapshots(socket).length === 1);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("asks again, rather than resending everything, when the Brain cannot answer for now", async () => {
    const { dbs, outbox } = await database();
    const first = await connect(dbs, outbox);
    await until(() => FakeSocket.records.size === 1);
    await pause();
    first.conn.close();
    const conn = new BrainConnection("ws://brain/ws/agent?token=t", {
      WebSocketCtor: FakeSocket as unknown as typeof WebSocket,
      ackTimeoutMs: 2_000,
      keepaliveMs: 60_000,
      log: noLog,
    });
    live.push(conn);
    const socket = FakeSocket.latest();
    let refusals = 1;
    socket.hello = "ignore";
    socket.onSend = (frame) => {
      if (frame.type !== "sync_hello") return;
      if (refusals-- > 0) queueMicrotask(() => socket.fail(frame.ref, "unavailable"));
      else {
        socket.hello = "brain";
        queueMicrotask(() => socket.push({ type: "sync_state", payload: { mode: "incremental", reason: "resume", installId: frame.payload.installId } }));
      }
    };
    socket.accept(CREATOR);
    await conn.open();
    const syncer = new Syncer({ dbs, outbox, log: noLog, retryDelayMs: () => 10, now: Date.now, helloTimeoutMs: 2_000 });
    void syncer.run(conn, CREATOR);
    await until(() => syncer.stats.lastHello !== null);
    expect(socket.hellos()).toHaveLength(2);
    expect(syncer.stats.lastHello).toEqual({ mode: "incremental", reason: "resume" });
    await pause();
    expect(snapshots(socket)).toHaveLength(0);
  });

  it("does not remember a snapshot whose parts were not all acknowledged", async () => {
    const { dbs, db, outbox } = await database(40);
    const { socket, running } = await connect(dbs, outbox, "brain", { autoAck: false, maxFrameBytes: 1024 });
    await until(() => snapshots(socket).length === 1);
    socket.ack(snapshots(socket)[0]?.ref, "cache_update");
    await until(() => snapshots(socket).length === 2);
    socket.serverClose();
    await running;
    expect((await readIdentity(db)).syncedSnapshotId).toBeNull();
  });

  it("sync_request: a full snapshot on this connection, after the frame in flight", async () => {
    const { dbs, outbox } = await database();
    const first = await connect(dbs, outbox);
    await until(() => FakeSocket.records.size === 1);
    await pause();
    first.conn.close();
    await outbox.append(CREATOR, { type: "new_raw_message", ref: "m-1", payload: { chatId: 1, source: "fetch", message: { id: 1 } } });
    const { socket, syncer } = await connect(dbs, outbox, "brain", { autoAck: false });
    await until(() => socket.data().length === 1, 3000, "the entry in flight");
    syncer.requestSnapshot(CREATOR);
    await pause();
    expect(socket.data().map((f) => f.type)).toEqual(["new_raw_message"]);
    socket.ack("m-1");
    await until(() => snapshots(socket).length === 1, 3000, "the requested snapshot");
  });

  it("a late answer to a hello that timed out does not cause a second snapshot, unless it says fenced", async () => {
    const { dbs, db, outbox } = await database();
    const { socket, syncer } = await connect(dbs, outbox, "ignore", { helloTimeoutMs: 50 });
    await until(() => snapshots(socket).length === 1);
    await pause();
    syncer.onSyncState(CREATOR, "full", "first_sync"); // the hello's answer, too late
    await pause();
    expect(snapshots(socket)).toHaveLength(1);
    // Afterwards, an unprompted `full` is a request.
    syncer.onSyncState(CREATOR, "full", "requested");
    await until(() => snapshots(socket).length === 2, 3000, "requested snapshot");
    syncer.onSyncState(CREATOR, "incremental", "resume");
    await pause();
    expect(snapshots(socket)).toHaveLength(2);

    const before = (await readIdentity(db)).installId;
    const late = await connect(dbs, outbox, "ignore", { helloTimeoutMs: 50 });
    await until(() => snapshots(late.socket).length === 1);
    late.syncer.onSyncState(CREATOR, "full", "fenced");
    await until(() => snapshots(late.socket).length === 2, 3000, "snapshot under a new installId");
    expect(snapshots(late.socket)[1]?.payload.installId).not.toBe(before);
  });
});
