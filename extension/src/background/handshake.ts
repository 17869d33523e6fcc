/**
 * The resume handshake: which installation this database is, and whether the Brain still
 * holds its last whole snapshot.
 *
 * On `connection_ack` the Agent sends `{"type":"sync_hello","ref",payload:{installId,
 * snapshotId}}` (`snapshotId`: the last snapshot every part of which got its `ingest_ack`, or
 * null) and waits for `sync_state`: `incremental` (the outbox alone keeps the Brain whole) or
 * `full` (send a snapshot first; with reason `fenced`, under a new installId: another copy of
 * this database synced since). An older Brain refuses the hello (`unknown_type`,
 * `not_allowed`, `invalid_payload`) or never answers (10 s): then a full snapshot, as before
 * the handshake existed.
 */
import { isObject } from "../shared/protocol";
import type { BrainConnection } from "./connection";
import { newInstallId, type AgentDb } from "./db";
import { newRef } from "./outbox";

export const HELLO_TIMEOUT_MS = 10_000;
/** What a Brain from before the handshake answers a `sync_hello` with. */
const OLD_BRAIN: ReadonlySet<string> = new Set(["unknown_type", "not_allowed", "invalid_payload"]);
const RETRYABLE: ReadonlySet<string> = new Set(["unavailable", "rate_limited"]);
export const NO_ANSWER = "no sync_state in time";

export interface SyncIdentity {
  installId: string;
  syncedSnapshotId: string | null;
}

export type HelloOutcome =
  | { kind: "state"; mode: "incremental" | "full"; reason: string }
  | { kind: "fallback"; why: string }
  | { kind: "closed" };

/** This database's installation id (made now if a database somehow lacks one) and its last
 * acknowledged snapshot. */
export async function readIdentity(db: AgentDb): Promise<SyncIdentity> {
  const tx = db.transaction("meta", "readwrite");
  const stored = await tx.store.get("installId");
  const installId = typeof stored === "string" ? stored : newInstallId();
  if (installId !== stored) await tx.store.put(installId, "installId");
  const synced = await tx.store.get("syncedSnapshotId");
  await tx.done;
  return { installId, syncedSnapshotId: typeof synced === "string" ? synced : null };
}

/** A new installation id (this database was copied): the old snapshot no longer counts. */
export async function rotateInstallId(db: AgentDb): Promise<string> {
  const installId = newInstallId();
  const tx = db.transaction("meta", "readwrite");
  await tx.store.put(installId, "installId");
  await tx.store.delete("syncedSnapshotId");
  await tx.done;
  return installId;
}

/** Every part of `snapshotId`, sent under `installId`, was acknowledged. Ignored when the
 * installation changed meanwhile (a snapshot of the old identity proves nothing). */
export async function recordSyncedSnapshot(db: AgentDb, installId: string, snapshotId: string): Promise<boolean> {
  const tx = db.transaction("meta", "readwrite");
  const current = await tx.store.get("installId");
  const same = current === installId;
  if (same) await tx.store.put(snapshotId, "syncedSnapshotId");
  await tx.done;
  return same;
}

export function helloFrame(ref: string, identity: SyncIdentity): string {
  return JSON.stringify({
    type: "sync_hello",
    ref,
    payload: { installId: identity.installId, snapshotId: identity.syncedSnapshotId },
  });
}

/** Send the hello and read the Brain's answer. A Brain that cannot answer for now
 * (`unavailable`, `rate_limited`) is asked again after `retryDelayMs(attempt)`: falling back to
 * a full snapshot over a passing hiccup would resend the whole database. */
export async function hello(
  conn: BrainConnection,
  identity: SyncIdentity,
  timeoutMs: number,
  retryDelayMs: (attempt: number) => number,
): Promise<HelloOutcome> {
  for (let attempt = 1; ; attempt += 1) {
    const ref = newRef("h");
    const answer = await conn.exchange(ref, helloFrame(ref, identity), "sync_state", timeoutMs);
    switch (answer.kind) {
      case "frame": {
        const payload: unknown = (answer.frame as { payload?: unknown }).payload;
        if (!isObject(payload) || (payload.mode !== "incremental" && payload.mode !== "full")) {
          return { kind: "fallback", why: "unreadable sync_state" };
        }
        const reason = typeof payload.reason === "string" ? payload.reason : "";
        return { kind: "state", mode: payload.mode, reason };
      }
      case "closed":
        return { kind: "closed" };
      case "timeout":
        return { kind: "fallback", why: NO_ANSWER };
      case "ack":
        return { kind: "fallback", why: "hello acknowledged without a sync_state" };
      case "error":
        if (!RETRYABLE.has(answer.code)) {
          const old = OLD_BRAIN.has(answer.code) ? "an older Brain" : "refused";
          return { kind: "fallback", why: `${old}: ${answer.code}` };
        }
        await Promise.race([sleep(retryDelayMs(attempt)), conn.closed]);
        if (!conn.isOpen) return { kind: "closed" };
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
