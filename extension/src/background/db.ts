/**
 * IndexedDB, one database per creator account: `ofca-<creatorId>`.
 *
 * - `chats`: OnlyFans chat-list items as the page received them, key = fan id (`withUser.id`).
 * - `messages`: message objects plus `chatId`, key = message id, index `byChat`.
 * - `outbox`: frames to send to the Brain, in order (auto-increment `seq`); an entry leaves
 *   only when the Brain's `ingest_ack` for its `ref` arrives.
 * - `executed`: commandId → what happened to it (at most one execution per id, ever).
 * - `meta`: small facts: the `/users/me` object without credentials, `installId` (random, made
 *   with the database, so a database made again after `clear_local_data` gets a new one),
 *   `syncedSnapshotId` (the last snapshot the Brain acknowledged whole), the history
 *   backfill's state and cursors.
 * - `history` (version 2): chatId → how far back the backfill walked that chat's history.
 */
import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from "idb";
import type { CommandStatus, JsonObject } from "../shared/protocol";

export type RecordKey = number | string;

export interface StoredMessage extends JsonObject {
  chatId: RecordKey;
}

export interface OutboxEntry {
  seq?: number;
  ref: string;
  type: string;
  /** The frame exactly as it goes on the wire (so a re-send has identical bytes). */
  text: string;
  createdAt: number;
}

export interface ExecutedRecord {
  commandId: string;
  userId: string;
  chatId: RecordKey;
  state: "executing" | "done";
  via: string;
  at: number;
  status?: CommandStatus;
  detail?: unknown;
  finishedAt?: number;
}

/** One chat's walked history: a contiguous run of pages from `newestId` down to `oldestId`. */
export interface HistoryRecord {
  chatId: RecordKey;
  oldestId: RecordKey | null;
  /** `createdAt` of the oldest message walked (epoch ms). */
  oldestAt: number | null;
  newestId: RecordKey | null;
  /** The walk saw `hasMore: false`: nothing older exists. */
  reachedStart: boolean;
  /** Back to the first message, or to the backfill's `since` when it was last walked. */
  complete: boolean;
  pages: number;
  /** Newer messages being fetched down to `stopAt` (a re-run after new messages arrived). */
  topUp: { cursorId: RecordKey | null; stopAt: RecordKey | null; newest: RecordKey | null } | null;
  /** The HTTP status that made this chat's history unreachable (skipped). */
  failed: number | null;
  updatedAt: number;
}

export interface AgentSchema extends DBSchema {
  chats: { key: RecordKey; value: JsonObject };
  messages: { key: RecordKey; value: StoredMessage; indexes: { byChat: RecordKey } };
  outbox: { key: number; value: OutboxEntry };
  executed: { key: string; value: ExecutedRecord };
  meta: { key: string; value: unknown };
  history: { key: RecordKey; value: HistoryRecord };
}

export type AgentDb = IDBPDatabase<AgentSchema>;

export const DB_VERSION = 2;

/** A fresh installation id: 32 random hex digits. */
export function newInstallId(): string {
  return crypto.randomUUID().replace(/-/g, "");
}

export function dbName(creatorId: string): string {
  return `ofca-${creatorId}`;
}

/** Ids as OnlyFans uses them: numbers. A numeric string becomes a number so keys agree. */
export function normalizeId(value: unknown): RecordKey | null {
  if (typeof value === "number" && Number.isSafeInteger(value)) return value;
  if (typeof value === "string" && value.length > 0 && value.length <= 64) {
    if (/^\d+$/.test(value)) {
      const n = Number(value);
      if (Number.isSafeInteger(n)) return n;
    }
    return value;
  }
  return null;
}

/** Opens creators' databases once and keeps the handles. */
export class Databases {
  private readonly open = new Map<string, Promise<AgentDb>>();

  get(creatorId: string): Promise<AgentDb> {
    let db = this.open.get(creatorId);
    if (!db) {
      db = openDB<AgentSchema>(dbName(creatorId), DB_VERSION, {
        upgrade(database, oldVersion, _newVersion, transaction) {
          if (oldVersion < 1) {
            database.createObjectStore("chats");
            const messages = database.createObjectStore("messages");
            messages.createIndex("byChat", "chatId");
            database.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
            database.createObjectStore("executed", { keyPath: "commandId" });
            database.createObjectStore("meta");
          }
          if (oldVersion < 2) {
            // Version 1 kept everything above; a database from then never sent an installId,
            // so it gets one now and its first hello is a first sync.
            database.createObjectStore("history");
            void transaction.objectStore("meta").put(newInstallId(), "installId");
          }
        },
        blocking: () => {
          // Another context wants to delete or upgrade: let it.
          void this.close(creatorId);
        },
      });
      this.open.set(creatorId, db);
      db.catch(() => this.open.delete(creatorId));
    }
    return db;
  }

  async close(creatorId: string): Promise<void> {
    const db = this.open.get(creatorId);
    this.open.delete(creatorId);
    if (db) (await db.catch(() => null))?.close();
  }

  /** Delete one creator's whole database (`clear_local_data`). */
  async delete(creatorId: string): Promise<void> {
    await this.close(creatorId);
    await deleteDB(dbName(creatorId));
  }
}
