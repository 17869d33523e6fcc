/**
 * The real background code against a running Brain (`ofca up`), through a real WebSocket.
 * Skipped unless OFCA_INTEROP_URL is set. Run it with:
 *
 *   OFCA_INTEROP_URL=http://127.0.0.1:8000 OFCA_INTEROP_AGENT_TOKEN=… \
 *   OFCA_INTEROP_ANALYST_TOKEN=… OFCA_INTEROP_USER=300000 \
 *   NODE_OPTIONS=--experimental-websocket npx vitest run test/interop
 *
 * (Node 20 needs the flag for its WebSocket; Chrome has it.) It prints what it measured.
 */
import { describe, expect, it } from "vitest";
import { Agent } from "../../src/background/agent";
import type { TabsApi } from "../../src/background/commands";
import type { CaptureMessage, SendMessageCommand } from "../../src/shared/protocol";
import type { StorageArea } from "../../src/shared/settings";
import { until } from "../helpers/fake-brain";

const URL_ = process.env.OFCA_INTEROP_URL ?? "";
const AGENT = process.env.OFCA_INTEROP_AGENT_TOKEN ?? "";
const ANALYST = process.env.OFCA_INTEROP_ANALYST_TOKEN ?? "";
const USER = process.env.OFCA_INTEROP_USER ?? "300000";
const CHATS = Number(process.env.OFCA_INTEROP_CHATS ?? 200);
const PER_CHAT = Number(process.env.OFCA_INTEROP_PER_CHAT ?? 25);
const SNAPSHOT_MESSAGES = Number(process.env.OFCA_INTEROP_SNAPSHOT_MESSAGES ?? 100_000);
const OF = "https://onlyfans.com/api2/v2";

class MemoryStorage implements StorageArea {
  constructor(public items: Record<string, unknown>) {}
  async get(keys?: string | string[] | null) {
    const wanted = keys ? (Array.isArray(keys) ? keys : [keys]) : Object.keys(this.items);
    return Object.fromEntries(wanted.filter((k) => k in this.items).map((k) => [k, this.items[k]]));
  }
  async set(items: Record<string, unknown>) {
    Object.assign(this.items, items);
  }
}

function http(method: string, path: string, responseBody: unknown): CaptureMessage {
  return { source: "_OF_FORWARDER_", event: "fetch", data: { url: `${OF}${path}`, method, status: 200, requestBody: null, responseBody } };
}

function message(id: number, from: number, at: number, text: string) {
  return {
    responseType: "message",
    id,
    text: `<p>${text}</p>`,
    lockedText: false,
    isFree: true,
    price: 0,
    mediaCount: 0,
    media: [],
    previews: [],
    isTip: false,
    isFromQueue: false,
    fromUser: { id: from, _view: "m" },
    isOpened: true,
    isNew: false,
    createdAt: new Date(at).toISOString().replace("Z", "+00:00"),
    changedAt: new Date(at).toISOString().replace("Z", "+00:00"),
  };
}

async function rest(path: string, init: RequestInit = {}): Promise<any> {
  const response = await fetch(`${URL_}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${ANALYST}`, "content-type": "application/json" },
  });
  return { status: response.status, body: await response.json().catch(() => null) };
}

describe.skipIf(!URL_ || !AGENT)("against a running Brain", () => {
  it("syncs captures, snapshots, and executes a command once", { timeout: 180_000 }, async () => {
    const creator = Number(USER);
    let agent: Agent;
    const executed: SendMessageCommand[] = [];
    const tabs: TabsApi = {
      query: async () => [{ id: 1, url: "https://onlyfans.com/my/chats/", active: true }],
      sendMessage: async (_tab, msg) => {
        const { command } = msg as { command: SendMessageCommand };
        executed.push(command);
        // What the page would capture: its own POST, then the result.
        const sent = { ...message(6100000000000 + executed.length, creator, Date.now(), command.text), fromUser: { id: creator } };
        setTimeout(() => {
          agent.onCapture(http("POST", `/chats/${command.chatId}/messages`, sent));
          void agent.commands.onPageResult({ commandId: command.commandId, status: "sent", detail: { messageId: sent.id } });
        }, 20);
        return { ok: true };
      },
    };
    const storage = new MemoryStorage({ brainUrl: URL_, agentToken: AGENT });
    agent = new Agent({ storage, tabs, WebSocketCtor: WebSocket, log: () => undefined });
    await agent.start();
    await until(() => agent.syncer.stats.lastSnapshotAt !== null, 20_000, "first snapshot");

    // Deltas: captured pages become new_raw_message frames, each acknowledged.
    const start = Date.now() - CHATS * PER_CHAT * 60_000;
    const t0 = performance.now();
    agent.onCapture(http("GET", "/users/me", { id: creator, name: "Interop Creator", wsAuthToken: "x" }));
    agent.onCapture(
      http("GET", "/chats?limit=10&offset=0&order=recent&skip_users=all", {
        list: Array.from({ length: CHATS }, (_, c) => ({ withUser: { id: 400000 + c, _view: "m" }, unreadMessagesCount: 0 })),
        hasMore: false,
      }),
    );
    let n = 0;
    for (let c = 0; c < CHATS; c += 1) {
      const list = [];
      for (let m = 0; m < PER_CHAT; m += 1) {
        n += 1;
        const from = m % 2 === 0 ? 400000 + c : creator;
        list.push(message(5100000000000 + n, from, start + n * 60_000, `message ${n} in chat ${c} 😘`));
      }
      agent.onCapture(http("GET", `/chats/${400000 + c}/messages?limit=${PER_CHAT}&order=desc`, { list: list.reverse(), hasMore: false }));
    }
    await agent.settled();
    const stored = performance.now();
    for (;;) {
      const status = await agent.status();
      if (status.outbox === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const drained = performance.now();
    const total = CHATS * PER_CHAT;
    console.info(
      `[interop] ${total} messages: stored in ${(stored - t0).toFixed(0)} ms, ` +
        `outbox drained (one frame in flight, each ingest_ack) in ${(drained - t0).toFixed(0)} ms ` +
        `= ${(total / ((drained - t0) / 1000)).toFixed(0)} deltas/s`,
    );

    // A fresh connection: a Brain that holds the first snapshot resumes (outbox only); an
    // older one gets the whole database again.
    const before = agent.syncer.stats.lastSnapshotAt;
    const hellos = agent.syncer.stats.hellos;
    const t1 = performance.now();
    agent.restart();
    await until(() => agent.syncer.stats.hellos > hellos, 30_000, "second hello");
    if (agent.syncer.stats.lastHello?.mode === "incremental") {
      console.info(`[interop] reconnect resumed: ${(performance.now() - t1).toFixed(0)} ms, no snapshot`);
      await new Promise((r) => setTimeout(r, 500));
      expect(agent.syncer.stats.lastSnapshotAt).toBe(before);
    } else {
      await until(() => agent.syncer.stats.lastSnapshotAt !== before, 60_000, "second snapshot");
      console.info(
        `[interop] snapshot of ${agent.syncer.stats.snapshotRecords} records in ${agent.syncer.stats.snapshotParts} part(s): ` +
          `${(performance.now() - t1).toFixed(0)} ms including reconnect`,
      );
      expect(agent.syncer.stats.snapshotRecords).toBe(total + CHATS);
    }

    // The Brain has them.
    if (ANALYST) {
      let chats: any = null;
      for (let i = 0; i < 100; i += 1) {
        chats = await rest(`/api/v1/users/${USER}/chats?limit=500`);
        if (chats.status === 200 && (chats.body?.total ?? 0) >= CHATS) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      console.info(`[interop] REST chats: status ${chats.status}, total ${chats.body?.total}`);
      expect(chats.body?.total).toBeGreaterThanOrEqual(CHATS);

      // A command through REST → command service → socket → Agent, at most once.
      const commandId = `interop-${Date.now()}`;
      const command = {
        commandId,
        userId: USER,
        chatId: 400001,
        text: "interop hello",
        price: null,
        mediaIds: [],
        origin: "analyst",
        createdAt: new Date().toISOString(),
      };
      const posted = await rest(`/api/v1/users/${USER}/commands`, { method: "POST", body: JSON.stringify(command) });
      const again = await rest(`/api/v1/users/${USER}/commands`, { method: "POST", body: JSON.stringify(command) });
      expect(posted.status).toBe(202);
      expect(again.status).toBe(202);
      let record: any = null;
      for (let i = 0; i < 100; i += 1) {
        record = await rest(`/api/v1/users/${USER}/commands/${commandId}`);
        if (record.body?.state === "sent") break;
        await new Promise((r) => setTimeout(r, 100));
      }
      console.info(`[interop] command ${commandId}: state ${record.body?.state}, executed ${executed.length}x`);
      expect(record.body?.state).toBe("sent");
      expect(executed.filter((c) => c.commandId === commandId)).toHaveLength(1);
    }
    agent.settings.paused = true;
    agent.restart();
  });

  it("sends a large snapshot in parts below maxFrameBytes", { timeout: 600_000 }, async () => {
    const creator = Number(USER);
    const tabs: TabsApi = { query: async () => [], sendMessage: async () => undefined };
    const storage = new MemoryStorage({ brainUrl: URL_, agentToken: AGENT, tokenUserId: USER, creatorId: USER });
    const agent = new Agent({ storage, tabs, WebSocketCtor: WebSocket, log: () => undefined });
    // Seed the database directly (the capture path is measured above).
    const db = await agent.dbs.get(USER);
    const chats = Math.max(1, Math.floor(SNAPSHOT_MESSAGES / 50));
    const start = Date.now() - SNAPSHOT_MESSAGES * 60_000;
    const t0 = performance.now();
    for (let c = 0; c < chats; c += 1) {
      const tx = db.transaction(["chats", "messages"], "readwrite");
      const fan = 500000 + c;
      void tx.objectStore("chats").put({ withUser: { id: fan, _view: "m" }, unreadMessagesCount: 0 }, fan);
      for (let m = 0; m < 50; m += 1) {
        const n = c * 50 + m;
        const id = 7100000000000 + n;
        void tx.objectStore("messages").put({ ...message(id, m % 2 ? creator : fan, start + n * 60_000, `snapshot message ${n} ✨`), chatId: fan }, id);
      }
      await tx.done;
    }
    const seeded = performance.now();
    await agent.start();
    await until(() => agent.syncer.stats.lastSnapshotAt !== null, 600_000, "snapshot");
    const sent = performance.now();
    const { snapshotParts, snapshotRecords } = agent.syncer.stats;
    console.info(
      `[interop] snapshot: ${snapshotRecords} records (${chats} chats) in ${snapshotParts} parts, ` +
        `seeded in ${(seeded - t0).toFixed(0)} ms, planned+read+sent+acked in ${(sent - seeded).toFixed(0)} ms ` +
        `= ${(snapshotRecords / ((sent - seeded) / 1000)).toFixed(0)} records/s (fake-indexeddb in Node)`,
    );
    expect(snapshotRecords).toBe(chats * 51);
    agent.settings.paused = true;
    agent.restart();
  });
});
