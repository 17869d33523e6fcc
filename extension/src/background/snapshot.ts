/**
 * The `cache_update` snapshot: every chat and message of one creator's database, in frames no
 * larger than the Brain's `maxFrameBytes` (UTF-8 bytes, as the gateway measures them).
 *
 * A snapshot can be large, so it is never held in memory whole. Pass 1 walks both stores in
 * batches, measuring each record, and cuts the key space into parts (only key ranges are
 * kept). Pass 2 reads one part's ranges when that part is about to be sent. A record written
 * between the passes can make a part slightly bigger; the margin absorbs small growth and a
 * part that still does not fit sheds its newest records, which are in the outbox anyway (every
 * stored change also queues a delta). A record that could never fit a frame on its own is
 * left out and counted (the Python reference raises instead).
 */
import type { AgentDb, RecordKey } from "./db";

/** Room for the envelope (`type`, `ref`, `snapshot_id`, part numbers) and separators. */
export const FRAME_OVERHEAD = 512;
const BATCH = 500;

type Store = "chats" | "messages";

export interface KeyRange {
  lower: RecordKey;
  upper: RecordKey;
}

export interface PartPlan {
  chats: KeyRange | null;
  messages: KeyRange | null;
}

export interface SnapshotPlan {
  parts: PartPlan[];
  skipped: number;
  records: number;
}

/** Byte length of `text` in UTF-8, without encoding it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i += 1;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** Records budget of one frame (stricter than the frame limit by the overhead and a margin). */
export function recordBudget(maxFrameBytes: number): number {
  const margin = Math.floor(maxFrameBytes / 50);
  return maxFrameBytes - FRAME_OVERHEAD - margin;
}

async function* batches(db: AgentDb, store: Store): AsyncGenerator<[RecordKey[], unknown[]]> {
  let after: RecordKey | null = null;
  for (;;) {
    const range: IDBKeyRange | null = after === null ? null : IDBKeyRange.lowerBound(after, true);
    const tx = db.transaction(store);
    const [keys, values]: [RecordKey[], unknown[]] = await Promise.all([
      tx.store.getAllKeys(range, BATCH),
      tx.store.getAll(range, BATCH),
    ]);
    if (keys.length === 0) return;
    yield [keys, values];
    if (keys.length < BATCH) return;
    after = keys[keys.length - 1] ?? null;
  }
}

/** Pass 1: cut both stores into parts whose records fit `budget` bytes. */
export async function planSnapshot(db: AgentDb, budget: number): Promise<SnapshotPlan> {
  const parts: PartPlan[] = [{ chats: null, messages: null }];
  let size = 0;
  let skipped = 0;
  let records = 0;
  for (const store of ["chats", "messages"] as const) {
    for await (const [keys, values] of batches(db, store)) {
      for (let i = 0; i < keys.length; i += 1) {
        const bytes = utf8Length(JSON.stringify(values[i])) + 1;
        if (bytes > budget) {
          skipped += 1;
          continue;
        }
        if (size + bytes > budget) {
          parts.push({ chats: null, messages: null });
          size = 0;
        }
        const part = parts[parts.length - 1] as PartPlan;
        const key = keys[i] as RecordKey;
        const range = part[store];
        if (range) range.upper = key;
        else part[store] = { lower: key, upper: key };
        size += bytes;
        records += 1;
      }
    }
  }
  return { parts, skipped, records };
}

async function readRange(db: AgentDb, store: Store, range: KeyRange | null): Promise<string[]> {
  if (!range) return [];
  const values = await db.getAll(store, IDBKeyRange.bound(range.lower, range.upper));
  return values.map((value) => JSON.stringify(value));
}

export interface SnapshotHead {
  snapshotId: string;
  /** The database's installation id (the Brain records the snapshot under it). */
  installId: string | null;
}

export function cacheUpdateFrame(
  ref: string,
  head: SnapshotHead,
  part: number,
  parts: number,
  chats: readonly string[],
  messages: readonly string[],
): string {
  const install = head.installId === null ? "" : `"installId":${JSON.stringify(head.installId)},`;
  return (
    `{"type":"cache_update","ref":${JSON.stringify(ref)},"payload":{` +
    `"snapshot_id":${JSON.stringify(head.snapshotId)},${install}"part":${part},"parts":${parts},` +
    `"chats":[${chats.join(",")}],"messages":[${messages.join(",")}]}}`
  );
}

export interface SnapshotFrame {
  ref: string;
  part: number;
  parts: number;
  text: string;
  records: number;
  /** Records that were shed because they no longer fit (they are in the outbox). */
  shed: number;
}

/** Pass 2: the frames of `plan`, read one part at a time. */
export async function* snapshotFrames(
  db: AgentDb,
  plan: SnapshotPlan,
  head: SnapshotHead,
  maxFrameBytes: number,
): AsyncGenerator<SnapshotFrame> {
  const parts = plan.parts.length;
  for (let part = 0; part < parts; part += 1) {
    const spec = plan.parts[part] as PartPlan;
    const chats = await readRange(db, "chats", spec.chats);
    const messages = await readRange(db, "messages", spec.messages);
    const ref = `${head.snapshotId}:${part}`;
    let shed = 0;
    let text = cacheUpdateFrame(ref, head, part, parts, chats, messages);
    let bytes = utf8Length(text);
    while (bytes > maxFrameBytes && (messages.length > 0 || chats.length > 0)) {
      const dropped = messages.length > 0 ? messages.pop() : chats.pop();
      bytes -= utf8Length(dropped ?? "") + 1;
      shed += 1;
      if (bytes <= maxFrameBytes) {
        text = cacheUpdateFrame(ref, head, part, parts, chats, messages);
        bytes = utf8Length(text);
      }
    }
    yield { ref, part, parts, text, records: chats.length + messages.length, shed };
  }
}
