/**
 * Coverage reports: `{"type":"capture_state","payload":CaptureStatePayload}` queued in the
 * outbox, so they survive restarts and reach the Brain in order with the data they describe.
 * `chats` lists only the chats whose coverage changed since the previous report (read from
 * `meta.coverageDirty`, cleared in the same transaction that queues the report), at most 1000
 * a frame (more make more frames with the same header).
 */
import type { BackfillReport, CaptureStatePayload, ChatCoverageReport } from "../../gen/wss-incoming";
import type { AgentDb, Databases, RecordKey } from "../db";
import { newRef, outboxEntry, type Outbox } from "../outbox";
import type { Clock } from "./clock";
import type { BackfillMeta } from "./state";

export const MAX_COVERAGE_CHATS = 1000;
export const REPORT_EVERY_MS = 2_000;

export function backfillReport(meta: BackfillMeta): BackfillReport {
  return {
    state: meta.state,
    chatsDone: meta.phase === "chats" ? Math.min(meta.queueIndex, meta.chatsTotal) : 0,
    chatsTotal: meta.chatsTotal,
    since: meta.since,
    rateLimitedUntil: meta.state === "rate_limited" ? meta.rateLimitedUntil : null,
    requests: meta.requests,
    startedAt: meta.startedAt,
  };
}

/** Queue one report (or several, when more than 1000 chats changed); returns how many. */
export async function queueCaptureState(
  db: AgentDb,
  meta: BackfillMeta,
  at: number,
  lastCaptureAt: number | null,
): Promise<number> {
  const tx = db.transaction(["meta", "chats", "messages", "history", "outbox"], "readwrite");
  const metaStore = tx.objectStore("meta");
  const dirty = await metaStore.get("coverageDirty");
  const chats: ChatCoverageReport[] = [];
  for (const chatId of Array.isArray(dirty) ? (dirty as RecordKey[]) : []) {
    const record = await tx.objectStore("history").get(chatId);
    if (!record) continue;
    chats.push({
      chatId,
      complete: record.complete,
      oldestMessageId: record.oldestId,
      oldestAt: record.oldestAt,
      messages: await tx.objectStore("messages").index("byChat").count(chatId),
    });
  }
  const head: Omit<CaptureStatePayload, "chats"> = {
    at,
    chatList: { complete: meta.listComplete, chatsKnown: await tx.objectStore("chats").count() },
    backfill: backfillReport(meta),
    lastCaptureAt,
  };
  let frames = 0;
  for (let i = 0; i === 0 || i < chats.length; i += MAX_COVERAGE_CHATS) {
    const payload: CaptureStatePayload = { ...head, chats: chats.slice(i, i + MAX_COVERAGE_CHATS) };
    await tx.objectStore("outbox").add(outboxEntry({ type: "capture_state", ref: newRef("cs"), payload }, at));
    frames += 1;
  }
  await metaStore.delete("coverageDirty");
  await tx.done;
  return frames;
}

/** Queues reports: `now()` at once, `soon()` at most every 2 s; one after the other, in the
 * order they were asked for, each with the state as it was when asked. */
export class CoverageReporter {
  private lastAt = Number.NEGATIVE_INFINITY;
  private scheduled = false;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: {
      dbs: Databases;
      outbox: Outbox;
      clock: Clock;
      lastCaptureAt: () => number | null;
      log: (event: string, fields?: Record<string, unknown>) => void;
    },
  ) {}

  now(creatorId: string, meta: BackfillMeta): Promise<void> {
    const at = this.deps.clock.now();
    this.lastAt = at;
    const state = { ...meta };
    const lastCaptureAt = this.deps.lastCaptureAt();
    this.chain = this.chain.then(async () => {
      try {
        const db = await this.deps.dbs.get(creatorId);
        await queueCaptureState(db, state, at, lastCaptureAt);
        this.deps.outbox.notify(creatorId);
      } catch (error) {
        this.deps.log("capture_state_failed", { error: String(error) });
      }
    });
    return this.chain;
  }

  /** A report now if the last is 2 s old, else one when it will be (`meta` read then). */
  soon(creatorId: string, meta: () => BackfillMeta): void {
    const since = this.deps.clock.now() - this.lastAt;
    if (since >= REPORT_EVERY_MS) {
      void this.now(creatorId, meta());
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    void this.deps.clock.sleep(REPORT_EVERY_MS - since).then(() => {
      this.scheduled = false;
      return this.now(creatorId, meta());
    });
  }
}
