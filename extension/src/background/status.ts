/**
 * What the popup (`get_status`) and the dashboard (`get_capture_status`) are told: the
 * connection, the local database's size, and the capture's coverage with the backfill's state.
 */
import type { Agent } from "./agent";
import type { BackfillRequest } from "./backfill/consent";
import type { BackfillStatus } from "./backfill/runner";
import type { ReadOriginsView } from "./read-consent";
import { loadMeta } from "./backfill/state";
import type { Databases } from "./db";
import type { SyncStats } from "./sync";

export type ConnectionState = "unconfigured" | "paused" | "connecting" | "open" | "waiting";

export interface AgentStatus {
  connection: ConnectionState;
  brainUrl: string;
  paused: boolean;
  creatorId: string | null;
  tokenUserId: string | null;
  accountMismatch: boolean;
  chats: number;
  messages: number;
  outbox: number;
  lastSyncAt: number | null;
  lastCaptureAt: number | null;
  lastError: string | null;
  sync: SyncStats;
  backfill: BackfillStatus;
  /** The dashboard asks for a backfill: the popup offers Start / Dismiss. */
  backfillRequest: BackfillRequest | null;
  /** Pages asking to read the chats (popup: Allow / Deny) and the answers (options: revoke). */
  readOrigins: ReadOriginsView;
}

export interface CaptureStatus {
  creatorId: string | null;
  chatList: { complete: boolean; chatsKnown: number };
  backfill: BackfillStatus;
  coverage: { chatsWalked: number; chatsComplete: number; messages: number };
  backfillRequest: BackfillRequest | null;
  lastCaptureAt: number | null;
}

/** Counts of one creator's database: chats and messages, and (`histories`, a walk over the
 * `history` store) walked and complete chat histories. */
export async function databaseCounts(
  dbs: Databases,
  creatorId: string,
  histories = false,
): Promise<{ chats: number; messages: number; chatsWalked: number; chatsComplete: number }> {
  const db = await dbs.get(creatorId);
  const [chats, messages] = await Promise.all([db.count("chats"), db.count("messages")]);
  let chatsWalked = 0;
  let chatsComplete = 0;
  let cursor = histories ? await db.transaction("history").store.openCursor() : null;
  while (cursor) {
    chatsWalked += 1;
    if (cursor.value.complete) chatsComplete += 1;
    cursor = await cursor.continue();
  }
  return { chats, messages, chatsWalked, chatsComplete };
}

export async function agentStatus(agent: Agent): Promise<AgentStatus> {
  const creator = agent.captureCreator;
  const socket = agent.socketCreator;
  const counts = creator ? await databaseCounts(agent.dbs, creator) : { chats: 0, messages: 0 };
  const { creatorId, tokenUserId } = agent;
  return {
    connection: agent.state,
    brainUrl: agent.settings.brainUrl,
    paused: agent.settings.paused,
    creatorId,
    tokenUserId,
    accountMismatch: creatorId !== null && tokenUserId !== null && creatorId !== tokenUserId,
    chats: counts.chats,
    messages: counts.messages,
    outbox: socket ? await agent.outbox.size(socket) : 0,
    lastSyncAt: agent.syncer.stats.lastAckAt ?? agent.syncer.stats.lastSnapshotAt,
    lastCaptureAt: agent.intake.lastCaptureAt,
    lastError: agent.lastError,
    sync: { ...agent.syncer.stats },
    backfill: agent.backfill.status(),
    backfillRequest: await agent.backfillRequests.current(),
    readOrigins: await agent.readOrigins.view(),
  };
}

export async function captureStatus(agent: Agent): Promise<CaptureStatus> {
  const creator = agent.captureCreator;
  const counts = creator
    ? await databaseCounts(agent.dbs, creator, true)
    : { chats: 0, messages: 0, chatsWalked: 0, chatsComplete: 0 };
  const meta = creator ? await loadMeta(await agent.dbs.get(creator)) : null;
  return {
    creatorId: creator,
    chatList: { complete: meta?.listComplete ?? false, chatsKnown: counts.chats },
    backfill: agent.backfill.status(),
    coverage: { chatsWalked: counts.chatsWalked, chatsComplete: counts.chatsComplete, messages: counts.messages },
    backfillRequest: await agent.backfillRequests.current(),
    lastCaptureAt: agent.intake.lastCaptureAt,
  };
}
