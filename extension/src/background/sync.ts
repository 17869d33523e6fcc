/**
 * What happens on an acknowledged connection, in this order:
 *
 * 1. The resume handshake (`handshake.ts`): `sync_hello`, then the Brain's `sync_state`.
 * 2. Only when the Brain wants it (`full`, no answer from an older Brain, or a `sync_request`
 *    later on): `cache_update`, the creator's whole database in parts below `maxFrameBytes`,
 *    each part sent after the previous one's receipt, each carrying the `installId`. Once
 *    every part is acknowledged its id is kept as `syncedSnapshotId` for the next hello.
 * 3. The outbox, oldest first, one frame at a time: an entry is deleted only when the
 *    `ingest_ack` with its `ref` arrives; `system_error` `unavailable` (or `rate_limited`)
 *    keeps it and retries after a growing pause; any other error drops it with a log (the
 *    Brain will never take it). Then wait for new entries until the socket closes.
 *
 * One frame in flight keeps the Brain's order equal to the outbox order even when the Brain
 * refuses a frame for a while.
 */
import type { BrainConnection, Receipt } from "./connection";
import type { Databases, OutboxEntry } from "./db";
import { hello, HELLO_TIMEOUT_MS, NO_ANSWER, readIdentity, recordSyncedSnapshot, rotateInstallId } from "./handshake";
import type { Outbox } from "./outbox";
import { planSnapshot, recordBudget, snapshotFrames } from "./snapshot";

const RETRYABLE: ReadonlySet<string> = new Set(["unavailable", "rate_limited"]);

export interface SyncDeps {
  dbs: Databases;
  outbox: Outbox;
  log: (event: string, fields?: Record<string, unknown>) => void;
  /** Pause before retrying a frame the Brain could not store (attempt starts at 1). */
  retryDelayMs: (attempt: number) => number;
  now: () => number;
  /** How long to wait for `sync_state` before assuming an older Brain (default 10 s). */
  helloTimeoutMs?: number;
}

/** What the last handshake decided: a `sync_state`'s mode and reason, or the fallback. */
export interface HelloStats {
  mode: "incremental" | "full";
  reason: string;
}

export interface SyncStats {
  lastSnapshotAt: number | null;
  lastAckAt: number | null;
  snapshotParts: number;
  snapshotRecords: number;
  snapshotSkipped: number;
  dropped: number;
  lastHello: HelloStats | null;
  /** Handshakes so far (one per acknowledged connection). */
  hellos: number;
}

export function defaultRetryDelay(attempt: number): number {
  return Math.min(30_000, 1_000 * 2 ** Math.max(0, attempt - 1));
}

type Sent = "acked" | "dropped" | "stop";

export class Syncer {
  readonly stats: SyncStats = {
    lastSnapshotAt: null,
    lastAckAt: null,
    snapshotParts: 0,
    snapshotRecords: 0,
    snapshotSkipped: 0,
    dropped: 0,
    lastHello: null,
    hellos: 0,
  };
  /** A full snapshot the Brain asked for on this connection (`rotate`: under a new installId). */
  private wanted: { rotate: boolean } | null = null;
  /** The hello timed out: its answer may still come. */
  private helloOwed = false;

  constructor(private readonly deps: SyncDeps) {}

  /** The Brain asked for a full snapshot (`sync_request`, or an unprompted `sync_state`
   * `full`): it goes out on this connection after the frame in flight. */
  requestSnapshot(creatorId: string, rotate = false): void {
    this.want(rotate);
    this.deps.outbox.notify(creatorId);
  }

  /** A `sync_state` outside the handshake. The late answer to a hello that timed out (a full
   * snapshot already went out instead) only counts when it says `fenced`; any other one asks
   * for a snapshot when it says `full`. */
  onSyncState(creatorId: string, mode: unknown, reason: unknown): void {
    const late = this.helloOwed;
    this.helloOwed = false;
    if (late ? reason === "fenced" : mode === "full") this.requestSnapshot(creatorId, reason === "fenced");
  }

  private want(rotate: boolean): void {
    this.wanted = { rotate: rotate || (this.wanted?.rotate ?? false) };
  }

  async run(conn: BrainConnection, creatorId: string): Promise<void> {
    this.wanted = null;
    this.helloOwed = false;
    const db = await this.deps.dbs.get(creatorId);
    const answer = await hello(
      conn,
      await readIdentity(db),
      this.deps.helloTimeoutMs ?? HELLO_TIMEOUT_MS,
      this.deps.retryDelayMs,
    );
    if (answer.kind === "closed") return;
    this.stats.hellos += 1;
    if (answer.kind === "fallback") {
      this.helloOwed = answer.why === NO_ANSWER;
      this.deps.log("sync_hello_fallback", { why: answer.why });
      this.stats.lastHello = { mode: "full", reason: "fallback" };
    } else {
      this.deps.log("sync_state", { mode: answer.mode, reason: answer.reason });
      this.stats.lastHello = { mode: answer.mode, reason: answer.reason };
    }
    if (answer.kind === "fallback" || answer.mode === "full") {
      this.want(answer.kind === "state" && answer.reason === "fenced");
    }
    while (conn.isOpen) {
      if (this.wanted) {
        const { rotate } = this.wanted;
        this.wanted = null;
        if (rotate) this.deps.log("install_id_rotated", { installId: await rotateInstallId(db) });
        if (!(await this.sendSnapshot(conn, creatorId))) return;
      }
      let entry = await this.deps.outbox.first(creatorId);
      if (!entry) {
        // Register before looking again, so an append in between is not missed.
        const appended = this.deps.outbox.waitForAppend(creatorId);
        entry = await this.deps.outbox.first(creatorId);
        if (!entry) {
          // A snapshot asked for while this loop was busy (its wake-up came before the
          // waiter was registered) must not wait for the next append.
          if (this.wanted) continue;
          await Promise.race([appended, conn.closed]);
          continue;
        }
      }
      if ((await this.sendEntry(conn, creatorId, entry)) === "stop") return;
    }
  }

  /** Send a whole snapshot; false when the connection went away meanwhile. */
  async sendSnapshot(conn: BrainConnection, creatorId: string): Promise<boolean> {
    const max = conn.info?.maxFrameBytes ?? 0;
    if (max <= 0) return false;
    const db = await this.deps.dbs.get(creatorId);
    const { installId } = await readIdentity(db);
    const plan = await planSnapshot(db, recordBudget(max));
    const snapshotId = crypto.randomUUID().replace(/-/g, "");
    this.stats.snapshotSkipped = plan.skipped;
    if (plan.skipped > 0) this.deps.log("snapshot_records_too_large", { skipped: plan.skipped });
    let records = 0;
    for await (const frame of snapshotFrames(db, plan, { snapshotId, installId }, max)) {
      if (frame.shed > 0) this.deps.log("snapshot_records_shed", { part: frame.part, shed: frame.shed });
      const sent = await this.sendUntilTaken(conn, frame.ref, frame.text, "cache_update");
      if (sent === "stop") return false;
      if (sent === "dropped") {
        this.deps.log("snapshot_abandoned", { part: frame.part, parts: frame.parts });
        return true;
      }
      records += frame.records;
    }
    this.stats.lastSnapshotAt = this.deps.now();
    this.stats.snapshotParts = plan.parts.length;
    this.stats.snapshotRecords = records;
    const recorded = await recordSyncedSnapshot(db, installId, snapshotId);
    this.deps.log("snapshot_sent", { parts: plan.parts.length, records, recorded });
    return true;
  }

  private async sendEntry(conn: BrainConnection, creatorId: string, entry: OutboxEntry): Promise<Sent> {
    const sent = await this.sendUntilTaken(conn, entry.ref, entry.text, entry.type);
    if (sent !== "stop" && entry.seq !== undefined) {
      await this.deps.outbox.remove(creatorId, entry.seq);
    }
    return sent;
  }

  /** Send until the Brain takes the frame (acked), refuses it for good (dropped), or the
   * connection is gone (stop). */
  private async sendUntilTaken(
    conn: BrainConnection,
    ref: string,
    text: string,
    type: string,
  ): Promise<Sent> {
    for (let attempt = 1; ; attempt += 1) {
      const receipt: Receipt = await conn.request(ref, text);
      switch (receipt.kind) {
        case "ack":
          this.stats.lastAckAt = this.deps.now();
          return "acked";
        case "closed":
          return "stop";
        case "timeout":
          this.deps.log("brain_receipt_timeout", { type });
          conn.close(4000);
          return "stop";
        case "error":
          if (!RETRYABLE.has(receipt.code)) {
            this.stats.dropped += 1;
            this.deps.log("frame_dropped", { type, code: receipt.code, message: receipt.message });
            return "dropped";
          }
          this.deps.log("frame_retry_later", { type, code: receipt.code, attempt });
          await Promise.race([sleep(this.deps.retryDelayMs(attempt)), conn.closed]);
          if (!conn.isOpen) return "stop";
      }
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
