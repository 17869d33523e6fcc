/**
 * What a reconnect costs once a database was synced: the measurement quoted in README.md.
 * 10,000 OnlyFans-shaped messages in 200 chats are synced once (full snapshot); the next
 * connection sends only the hello, and then what was captured since.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Agent } from "../../src/background/agent";
import { readIdentity } from "../../src/background/handshake";
import { FakeSocket, until } from "../helpers/fake-brain";
import { MemoryStorage } from "../helpers/memory-storage";

const CREATOR = "300000";
const CHATS = 200;
const MESSAGES = 10_000;

function ofMessage(id: number, chatId: number, minute: number): { chatId: number; [key: string]: unknown } {
  const fromFan = id % 2 === 0;
  return {
    responseType: "message",
    id,
    text: `<p>message ${id}: ${fromFan ? "hey, are you around tonight?" : "always for you 😘 check your DMs"}</p>`,
    giphyId: null,
    lockedText: false,
    isFree: fromFan,
    price: fromFan ? 0 : 9.99,
    isMediaReady: true,
    mediaCount: 0,
    media: [],
    previews: [],
    isTip: false,
    isReportedByMe: false,
    isCouplePeopleMedia: false,
    queueId: 0,
    fromUser: { id: fromFan ? chatId : Number(CREATOR), _view: "m" },
    isFromQueue: false,
    canUnsendQueue: false,
    unsendSecondsQueue: 0,
    isOpened: true,
    isNew: false,
    createdAt: new Date(Date.UTC(2024, 0, 1) + minute * 60_000).toISOString(),
    changedAt: new Date(Date.UTC(2024, 0, 1) + minute * 60_000).toISOString(),
    cancelSeconds: 0,
    isLiked: false,
    canPurchase: false,
    canPurchaseReason: "",
    canReport: true,
    canBePinned: true,
    isPinned: false,
    chatId,
  };
}

const bytes = (texts: string[]) => texts.reduce((sum, t) => sum + Buffer.byteLength(t, "utf8"), 0);
const dataTexts = (socket: FakeSocket) => socket.sent.filter((t) => !t.startsWith('{"type":"keepalive"'));

let agent: Agent | null = null;
beforeEach(() => FakeSocket.reset());
afterEach(() => {
  if (!agent) return;
  agent.settings.paused = true;
  agent.restart();
  agent = null;
});

describe("the cost of a reconnect", () => {
  it("after a 10k-message database was synced once, a reconnect sends the hello and new captures only (≤ 1% of the full sync)", { timeout: 120_000 }, async () => {
    const storage = new MemoryStorage({ brainUrl: "ws://127.0.0.1:8000", agentToken: "t", creatorId: CREATOR });
    agent = new Agent({
      storage,
      tabs: { query: async () => [], sendMessage: async () => undefined },
      WebSocketCtor: FakeSocket as unknown as typeof WebSocket,
      log: () => undefined,
      timing: { reconnectDelayMs: () => 10, keepaliveMs: 600_000 },
    });
    const db = await agent.dbs.get(CREATOR);
    const tx = db.transaction(["chats", "messages"], "readwrite");
    for (let c = 0; c < CHATS; c += 1) {
      void tx.objectStore("chats").put({ withUser: { id: 400000 + c, _view: "m", name: `Fan ${c}`, username: `fan${c}` }, unreadMessagesCount: 0, canSendMessage: true }, 400000 + c);
    }
    for (let m = 0; m < MESSAGES; m += 1) {
      const id = 5_100_000_000_000 + m;
      void tx.objectStore("messages").put(ofMessage(id, 400000 + (m % CHATS), m), id);
    }
    await tx.done;

    await agent.start();
    await until(() => FakeSocket.instances.length === 1);
    const first = FakeSocket.latest();
    first.autoAck();
    first.accept(CREATOR, 4 * 1024 * 1024);
    await until(() => FakeSocket.records.size === 1, 60_000, "the full snapshot");
    await until(() => agent?.syncer.stats.lastSnapshotAt !== null, 10_000);
    const full = bytes(dataTexts(first));
    expect((await readIdentity(db)).syncedSnapshotId).not.toBeNull();

    first.serverClose();
    await until(() => FakeSocket.instances.length === 2, 5_000, "reconnect");
    const second = FakeSocket.latest();
    second.autoAck();
    second.accept(CREATOR, 4 * 1024 * 1024);
    await until(() => agent?.syncer.stats.hellos === 2, 5_000, "second hello");
    await new Promise((r) => setTimeout(r, 200));
    const reconnect = bytes(dataTexts(second));
    expect(second.data()).toEqual([]);

    for (let i = 0; i < 5; i += 1) {
      agent.onCapture({
        source: "_OF_FORWARDER_",
        event: "fetch",
        data: { url: "https://onlyfans.com/api2/v2/chats/400001/messages", method: "GET", status: 200, requestBody: null, responseBody: { list: [ofMessage(5_200_000_000_000 + i, 400001, MESSAGES + i)] } },
      });
    }
    await agent.settled();
    await until(() => second.data().length === 5, 5_000, "the new messages");
    const withNew = bytes(dataTexts(second));

    console.info(
      `[reconnect] ${MESSAGES} messages in ${CHATS} chats: full sync ${full} bytes in ${first.data().length} frame(s); ` +
        `reconnect ${reconnect} bytes (hello only) = ${((100 * reconnect) / full).toFixed(4)}%; ` +
        `with 5 new messages ${withNew} bytes = ${((100 * withNew) / full).toFixed(3)}%`,
    );
    expect(reconnect).toBeLessThan(200);
    expect(withNew / full).toBeLessThan(0.01);
  });
});
