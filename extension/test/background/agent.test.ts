import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Agent, reconnectDelay } from "../../src/background/agent";
import type { TabsApi } from "../../src/background/commands";
import type { CaptureMessage, SendMessageCommand } from "../../src/shared/protocol";
import { FakeSocket, until } from "../helpers/fake-brain";
import { MemoryStorage } from "../helpers/memory-storage";

const OF = "https://onlyfans.com/api2/v2";


function http(method: string, path: string, responseBody: unknown): CaptureMessage {
  return { source: "_OF_FORWARDER_", event: "fetch", data: { url: `${OF}${path}`, method, status: 200, requestBody: null, responseBody } };
}

const agents: Agent[] = [];
function makeAgent(storage: MemoryStorage, tabs?: TabsApi) {
  const deliveries: SendMessageCommand[] = [];
  let agent: Agent;
  const defaultTabs: TabsApi = {
    query: async () => [{ id: 1, url: "https://onlyfans.com/my/chats/", active: true }],
    sendMessage: async (_tabId, message) => {
      const { command } = message as { command: SendMessageCommand };
      deliveries.push(command);
      setTimeout(() => void agent.commands.onPageResult({ commandId: command.commandId, status: "sent", detail: { messageId: 42 } }), 5);
      return { ok: true };
    },
  };
  agent = new Agent({
    storage,
    tabs: tabs ?? defaultTabs,
    WebSocketCtor: FakeSocket as unknown as typeof WebSocket,
    log: () => undefined,
    timing: { reconnectDelayMs: () => 10, retryDelayMs: () => 10, keepaliveMs: 60_000, ackTimeoutMs: 2_000 },
  });
  agents.push(agent);
  return { agent, deliveries };
}

beforeEach(() => FakeSocket.reset());
afterEach(async () => {
  for (const agent of agents.splice(0)) {
    agent.settings.paused = true;
    agent.restart();
  }
});

const configured = () => new MemoryStorage({ brainUrl: "ws://127.0.0.1:8000", agentToken: "tok.en" });

describe("the Agent", () => {
  it("connects with the stored settings, sends a snapshot, then captured messages in order", async () => {
    const storage = configured();
    const { agent } = makeAgent(storage);
    await agent.start();
    await until(() => FakeSocket.instances.length === 1);
    const socket = FakeSocket.latest();
    expect(socket.url).toBe("ws://127.0.0.1:8000/ws/agent?token=tok.en");
    socket.autoAck();
    socket.accept("300000");
    await until(() => socket.data().length === 1, 3000, "snapshot");
    expect(socket.data()[0]).toMatchObject({ type: "cache_update", payload: { part: 0, parts: 1, chats: [], messages: [] } });
    expect(storage.items.tokenUserId).toBe("300000");

    agent.onCapture(http("GET", "/users/me", { id: 300000, name: "Creator" }));
    agent.onCapture(http("GET", "/chats/400001/messages", { list: [{ id: 2, text: "b", fromUser: { id: 400001 } }, { id: 1, text: "a", fromUser: { id: 400001 } }] }));
    agent.onCapture({
      source: "_OF_FORWARDER_",
      event: "websocket",
      data: { url: "wss://ws2", direction: "in", frame: { api2_chat_message: { id: 3, text: "c", fromUser: { id: 400001 } } } },
    });
    await agent.settled();
    await until(() => socket.data().length === 4, 3000, "deltas");
    expect(socket.data().slice(1).map((f) => [f.type, f.payload.source, f.payload.message.id])).toEqual([
      ["new_raw_message", "fetch", 2],
      ["new_raw_message", "fetch", 1],
      ["new_raw_message", "websocket", 3],
    ]);
    const status = await agent.status();
    expect(status).toMatchObject({ connection: "open", creatorId: "300000", chats: 0, messages: 3, accountMismatch: false });
  });

  it("reconnects after the socket drops and sends only the hello and what is new", async () => {
    const { agent } = makeAgent(configured());
    await agent.start();
    await until(() => FakeSocket.instances.length === 1);
    const first = FakeSocket.latest();
    first.autoAck();
    first.accept("300000");
    agent.onCapture(http("GET", "/users/me", { id: 300000 }));
    agent.onCapture(http("GET", "/chats?limit=10", { list: [{ withUser: { id: 400001 }, lastMessage: { id: 1, text: "x", fromUser: { id: 400001 } } }] }));
    await agent.settled();
    await until(() => first.data().some((f) => f.type === "new_raw_message"), 3000, "snapshot and message");
    expect(first.data()[0]?.type).toBe("cache_update");
    first.serverClose();
    await until(() => FakeSocket.instances.length === 2, 3000, "reconnect");
    const second = FakeSocket.latest();
    second.autoAck();
    second.accept("300000");
    await until(() => second.hellos().length === 1);
    const snapshotId = first.data()[0]?.payload.snapshot_id;
    expect(second.hellos()[0]?.payload).toEqual({ installId: expect.stringMatching(/^[0-9a-f]{32}$/), snapshotId });
    agent.onCapture(http("GET", "/chats/400001/messages", { list: [{ id: 2, text: "new", fromUser: { id: 400001 } }] }));
    await agent.settled();
    await until(() => second.data().length === 1, 3000, "the new message");
    await new Promise((r) => setTimeout(r, 30));
    expect(second.data().map((f) => [f.type, f.payload.message?.id])).toEqual([["new_raw_message", 2]]);
  });

  it("keeps unacknowledged events across reconnects until the Brain takes them", async () => {
    const { agent } = makeAgent(configured());
    await agent.start();
    await until(() => FakeSocket.instances.length === 1);
    const first = FakeSocket.latest();
    first.onSend = (frame) => {
      if (frame.type === "cache_update") queueMicrotask(() => first.ack(frame.ref));
      else if (frame.type !== "keepalive") queueMicrotask(() => first.fail(frame.ref, "unavailable"));
    };
    first.accept("300000");
    agent.onCapture(http("GET", "/users/me", { id: 300000 }));
    agent.onCapture(http("POST", "/chats/400001/messages", { id: 77, text: "<p>hi</p>", fromUser: { id: 300000 } }));
    await agent.settled();
    await until(() => first.data().filter((f) => f.type === "new_raw_message").length >= 2, 3000, "retries");
    first.serverClose();
    await until(() => FakeSocket.instances.length === 2);
    const second = FakeSocket.latest();
    second.autoAck();
    second.accept("300000");
    await until(() => second.data().some((f) => f.type === "new_raw_message"), 3000, "resend");
    const resent = second.sent.find((t) => t.includes('"new_raw_message"'));
    expect(resent).toBe(first.sent.find((t) => t.includes('"new_raw_message"')));
    await new Promise((r) => setTimeout(r, 20));
    expect((await agent.status()).outbox).toBe(0);
  });

  it("pauses: closes the socket, stops capturing, and resumes on unpause", async () => {
    const storage = configured();
    const { agent } = makeAgent(storage);
    await agent.start();
    await until(() => FakeSocket.instances.length === 1);
    FakeSocket.latest().autoAck();
    FakeSocket.latest().accept("300000");
    await until(() => agent.state === "open");
    await storage.set({ paused: true });
    await agent.onSettingsChanged(["paused"]);
    await until(() => FakeSocket.latest().readyState === 3);
    expect(agent.state).toBe("paused");
    agent.onCapture(http("GET", "/chats/400001/messages", { list: [{ id: 1, text: "a" }] }));
    await agent.settled();
    expect((await agent.status()).messages).toBe(0);
    await new Promise((r) => setTimeout(r, 30));
    expect(FakeSocket.instances).toHaveLength(1);

    await storage.set({ paused: false });
    await agent.onSettingsChanged(["paused"]);
    await until(() => FakeSocket.instances.length === 2, 3000, "resume");
  });

  it("reconnects to the new Brain when the settings change", async () => {
    const storage = configured();
    const { agent } = makeAgent(storage);
    await agent.start();
    await until(() => FakeSocket.instances.length === 1);
    await storage.set({ brainUrl: "http://localhost:9000", agentToken: "other" });
    await agent.onSettingsChanged(["brainUrl", "agentToken"]);
    await until(() => FakeSocket.instances.length === 2);
    expect(FakeSocket.latest().url).toBe("ws://localhost:9000/ws/agent?token=other");
    expect(FakeSocket.instances[0]?.readyState).toBe(3);
  });

  it("executes a command delivered twice by the Brain once, and reports the result via the outbox", async () => {
    const { agent, deliveries } = makeAgent(configured());
    await agent.start();
    await until(() => FakeSocket.instances.length === 1);
    const socket = FakeSocket.latest();
    socket.autoAck();
    socket.accept("300000");
    agent.onCapture(http("GET", "/users/me", { id: 300000 }));
    await agent.settled();
    const cmd = { commandId: "cmd-7", userId: "300000", chatId: 400001, text: "hi", createdAt: "2024-05-01T00:00:00Z" };
    socket.push({ type: "command_to_execute", payload: cmd });
    socket.push({ type: "command_to_execute", payload: cmd });
    await until(() => socket.data().filter((f) => f.type === "command_result").length >= 1, 3000, "result");
    socket.push({ type: "command_to_execute", payload: cmd });
    await until(() => socket.data().filter((f) => f.type === "command_result").length >= 2, 3000, "re-report");
    expect(deliveries).toHaveLength(1);
    expect(socket.data().filter((f) => f.type === "command_result").map((f) => f.payload)).toEqual([
      { commandId: "cmd-7", status: "sent", detail: { messageId: 42 } },
      { commandId: "cmd-7", status: "sent", detail: { messageId: 42 } },
    ]);
    // The Bridge path finds it executed too.
    const viaBridge = await agent.executeFromBridge({ ...cmd, userId: 300000 });
    expect(viaBridge).toMatchObject({ duplicate: true });
    expect(deliveries).toHaveLength(1);
  });

  it("deletes the creator's database on clear_local_data", async () => {
    const { agent } = makeAgent(configured());
    await agent.start();
    await until(() => FakeSocket.instances.length === 1);
    const socket = FakeSocket.latest();
    socket.autoAck();
    socket.accept("300000");
    agent.onCapture(http("GET", "/users/me", { id: 300000 }));
    agent.onCapture(http("GET", "/chats/400001/messages", { list: [{ id: 1, text: "a" }] }));
    await agent.settled();
    expect((await agent.status()).messages).toBe(1);
    const before = socket.hellos()[0]?.payload.installId;
    socket.push({ type: "clear_local_data", payload: { userId: "300000", reason: "creator asked" } });
    await until(() => FakeSocket.instances.length === 2, 3000, "reconnect after clear");
    expect((await agent.status()).messages).toBe(0);
    // The new database is a new installation: its hello asks for a first sync.
    const second = FakeSocket.latest();
    second.autoAck();
    second.accept("300000");
    await until(() => second.data().some((f) => f.type === "cache_update"), 3000, "first sync of the new database");
    expect(second.hellos()[0]?.payload).toEqual({ installId: expect.stringMatching(/^[0-9a-f]{32}$/), snapshotId: null });
    expect(second.hellos()[0]?.payload.installId).not.toBe(before);
  });

  it("never sends captures of another account on this creator's socket", async () => {
    const { agent } = makeAgent(configured());
    await agent.start();
    await until(() => FakeSocket.instances.length === 1);
    const socket = FakeSocket.latest();
    socket.autoAck();
    socket.accept("300000");
    await until(() => socket.data().length === 1);
    agent.onCapture(http("GET", "/users/me", { id: 999999 }));
    agent.onCapture(http("GET", "/chats/400001/messages", { list: [{ id: 1, text: "other account" }] }));
    await agent.settled();
    await new Promise((r) => setTimeout(r, 30));
    expect(socket.data()).toHaveLength(1);
    expect(await agent.status()).toMatchObject({ accountMismatch: true, creatorId: "999999", tokenUserId: "300000", messages: 1, outbox: 0 });
  });

  it("holds captures that arrive before any creator is known, and stores them once one is", async () => {
    const { agent } = makeAgent(configured());
    await agent.start();
    agent.onCapture(http("GET", "/chats/400001/messages", { list: [{ id: 1, text: "early", fromUser: { id: 400001 } }] }));
    await agent.settled();
    expect((await agent.status()).messages).toBe(0);
    await until(() => FakeSocket.instances.length === 1);
    const socket = FakeSocket.latest();
    socket.autoAck();
    socket.accept("300000");
    await until(() => socket.data().some((f) => f.type === "new_raw_message"), 3000, "buffered capture");
    expect((await agent.status()).messages).toBe(1);
  });

  it("sends a full snapshot when the Brain asks with sync_request, never for a dashboard read", async () => {
    const { agent } = makeAgent(configured());
    await agent.start();
    await until(() => FakeSocket.instances.length === 1);
    const socket = FakeSocket.latest();
    socket.autoAck();
    socket.accept("300000");
    await until(() => agent.syncer.stats.lastSnapshotAt !== null);
    await agent.allChats("300000");
    await new Promise((r) => setTimeout(r, 30));
    expect(socket.data().filter((f) => f.type === "cache_update")).toHaveLength(1);
    socket.push({ type: "sync_request", payload: { userId: "300000", reason: "replay" } });
    await until(() => socket.data().filter((f) => f.type === "cache_update").length === 2, 3000, "requested snapshot");
    await new Promise((r) => setTimeout(r, 30));
    expect(socket.data().filter((f) => f.type === "cache_update")).toHaveLength(2);
  });

  it("stays down without settings", async () => {
    const { agent } = makeAgent(new MemoryStorage());
    await agent.start();
    expect(agent.state).toBe("unconfigured");
    expect(FakeSocket.instances).toHaveLength(0);
  });
});

describe("reconnect backoff", () => {
  it("grows from 0.5 s to a 30 s cap, with jitter between half and full", () => {
    expect(reconnectDelay(1, () => 1)).toBe(500);
    expect(reconnectDelay(1, () => 0)).toBe(250);
    expect(reconnectDelay(2, () => 1)).toBe(1000);
    expect(reconnectDelay(7, () => 1)).toBe(30_000);
    expect(reconnectDelay(30, () => 1)).toBe(30_000);
    expect(reconnectDelay(30, () => 0)).toBe(15_000);
  });
});
