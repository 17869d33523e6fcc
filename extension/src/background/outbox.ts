/**
 * The outbox: frames waiting for the Brain's receipt, per creator database, in order.
 *
 * Entries are appended (by capture, in the same transaction that stores the message, or by a
 * command result) and removed only by `remove(seq)` once the Brain's `ingest_ack` for that
 * entry's `ref` arrived. `waitForAppend` lets the sender sleep until there is work.
 */
import type { Databases, OutboxEntry } from "./db";

export function newRef(prefix: string): string {
  return `${prefix}-${crypto.randomUUID()}`;
}

export interface Frame {
  type: string;
  ref: string;
  payload: unknown;
}

export function outboxEntry(frame: Frame, now: number): OutboxEntry {
  return { ref: frame.ref, type: frame.type, text: JSON.stringify(frame), createdAt: now };
}

export class Outbox {
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(private readonly dbs: Databases) {}

  async append(creatorId: string, frame: Frame, now = Date.now()): Promise<void> {
    const db = await this.dbs.get(creatorId);
    await db.add("outbox", outboxEntry(frame, now));
    this.notify(creatorId);
  }

  /** Wake whoever waits for this creator's outbox (call after a transaction that added). */
  notify(creatorId: string): void {
    const waiting = this.waiters.get(creatorId);
    if (!waiting) return;
    this.waiters.delete(creatorId);
    for (const wake of waiting) wake();
  }

  /** Resolves at the next append for this creator. */
  waitForAppend(creatorId: string): Promise<void> {
    return new Promise((resolve) => {
      let waiting = this.waiters.get(creatorId);
      if (!waiting) {
        waiting = new Set();
        this.waiters.set(creatorId, waiting);
      }
      waiting.add(resolve);
    });
  }

  async first(creatorId: string): Promise<OutboxEntry | undefined> {
    const db = await this.dbs.get(creatorId);
    const cursor = await db.transaction("outbox").store.openCursor();
    return cursor?.value;
  }

  async remove(creatorId: string, seq: number): Promise<void> {
    const db = await this.dbs.get(creatorId);
    await db.delete("outbox", seq);
  }

  async size(creatorId: string): Promise<number> {
    const db = await this.dbs.get(creatorId);
    return db.count("outbox");
  }

  async all(creatorId: string): Promise<OutboxEntry[]> {
    const db = await this.dbs.get(creatorId);
    return db.getAll("outbox");
  }
}
