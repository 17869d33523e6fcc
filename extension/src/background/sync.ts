/**
 * What happens on an acknowledged connection, in this order:
 *
 * 1. `cache_update`: the creator's whole database in parts below `maxFrameBytes`, each part
 *    sent after the previous one's receipt.
 * 2. The outbox, oldest first, one frame at a time: an entry is deleted only when the
 *    `ingest_ack` with its `ref` arrives; `system_error` `unavailable` (or `rate_limited`)
 *    keeps it and retries after a growing pause; any other error drops it with a log (the
 *    Brain will never take it). Then wait for new entries until the socket closes.
 *
 * One frame in flight keeps the Brain's order equal to the outbox order even when the Brain
 * refuses a frame for a while.
 */
import type { BrainConnection, Receipt } from "./connection";
import type { Databases, OutboxEntry } from "./db";
import type { Outbox } from "./outbox";
import { planSnapshot, recordBudget, snapshotFrames } from "./snapshot";

const RETRYABLE: ReadonlySet<string> = new Set(["unavailable", "rate_limited"]);
export const RESYNC_MIN_INTERVAL_MS = 60_000;

export interface SyncDeps {
  dbs: Databases;
  outbox: Outbox;
  log: (event: string, fields?: Record<string, unknown>) => void;
  /** Pause before retrying a frame the Brain could not store (attempt starts at 1). */
  retryDelayMs: (attempt: number) => number;
  now: () => number;
}

export interface SyncStats {
  lastSnapshotAt: number | null;
  lastAckAt: number | null;
  snapshotParts: number;
  snapshotRecords: number;
  snapshotSkipped: number;
  dropped: number;
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
  };
  private resyncWanted = false;

  constructor(private readonly deps: SyncDeps) {}

  /** Ask for a fresh snapshot on the current connection (e.g. the Bridge asked to hydrate).
   * At most one per `RESYNC_MIN_INTERVAL_MS`: a snapshot can be large. */
  requestResync(creatorId: string): boolean {
    const last = this.stats.lastSnapshotAt;
    if (this.resyncWanted || (last !== null && this.deps.now() - last < RESYNC_MIN_INTERVAL_MS)) {
      return false;
    }
    this.resyncWanted = true;
    this.deps.outbox.notify(creatorId);
    return true;
  }

  async run(conn: BrainConnection, creatorId: string): Promise<void> {
    this.resyncWanted = false;
    if (!(await this.sendSnapshot(conn, creatorId))) return;
    while (conn.isOpen) {
      if (this.resyncWanted) {
        this.resyncWanted = false;
        if (!(await this.sendSnapshot(conn, creatorId))) return;
      }
      let entry = await this.deps.outbox.first(creatorId);
      if (!entry) {
        // Register before looking again, so an append in between is not missed.
        const appended = this.deps.outbox.waitForAppend(creatorId);
        entry = await this.deps.outbox.first(creatorId);
        if (!entry) {
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
    const plan = await planSnapshot(db, recordBudget(max));
    const snapshotId = crypto.randomUUID().replace(/-/g, "");
    this.stats.snapshotSkipped = plan.skipped;
    if (plan.skipped > 0) this.deps.log("snapshot_records_too_large", { skipped: plan.skipped });
    let records = 0;
    for await (const frame of snapshotFrames(db, plan, snapshotId, max)) {
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
    this.deps.log("snapshot_sent", { parts: plan.parts.length, records });
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
