import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Agent } from "../../src/background/agent";
import type { TabsApi } from "../../src/background/commands";
import type { SendMessageCommand } from "../../src/shared/protocol";
import { FakeSocket, until } from "../helpers/fake-brain";
import { MemoryStorage } from "../helpers/memory-storage";

const agents: Agent[] = [];

function makeAgent(verdictTimeoutMs = 2_000) {
  const deliveries: SendMessageCommand[] = [];
  let agent: Agent;
  const tabs: TabsApi = {
    query: async () => [{ id: 1, url: "https://onlyfans.com/my/chats/", active: true }],
    sendMessage: async (_tabId, message) => {
      const { command } = message as { command: SendMessageCommand };
      deliveries.push(command);
      setTimeout(() => void agent.commands.onPageResult({ commandId: command.commandId, status: "sent", detail: { messageId: 42 } }), 5);
      return { ok: true };
    },
  };
  agent = new Agent({
    storage: new MemoryStorage({ brainUrl: "ws://127.0.0.1:8000", agentToken: "tok.en" }),
    tabs,
    WebSocketCtor: FakeSocket as unknown as typeof WebSocket,
    log: () => undefined,
    timing: { reconnectDelayMs: () => 10, retryDelayMs: () => 10, keepaliveMs: 60_000, ackTimeoutMs: 2_000, verdictTimeoutMs },
  });
  agents.push(agent);
  return { agent, deliveries };
}

async function connected(verdictTimeoutMs?: number) {
  const before = FakeSocket.instances.length;
  const made = makeAgent(verdictTimeoutMs);
  await made.agent.start();
  await until(() => FakeSocket.instances.length === before + 1);
  const socket = FakeSocket.latest();
  socket.autoAck();
  socket.accept("300000");
  await until(() => socket.data().some((f) => f.type === "cache_update"), 3000, "first sync");
  return { ...made, socket };
}

const command = (commandId: string, userId: number | string = 300000): SendMessageCommand => ({
  commandId,
  userId,
  chatId: 400001,
  text: "hi",
  createdAt: "2024-05-01T00:00:00Z",
});

beforeEach(() => FakeSocket.reset());
afterEach(() => {
  for (const agent of agents.splice(0)) {
    agent.settings.paused = true;
    agent.restart();
  }
});

describe("the Agent executes only what the Brain confirms", () => {
  it("refuses a dashboard command the Brain never issued, and executes it once the Brain did", async () => {
    const { agent, deliveries, socket } = await connected();
    const refused = await agent.executeFromBridge(command("forged-1"));
    expect(refused).toMatchObject({ state: "refused", outcome: { status: "rejected", detail: { refusedBy: "brain" } } });
    expect(String((refused as { outcome: { detail: { reason: string } } }).outcome.detail.reason)).toContain("never issued");
    expect(socket.checks()).toEqual([
      { type: "command_check", ref: expect.any(String), payload: { commandId: "forged-1", via: "bridge", installId: expect.stringMatching(/^[0-9a-f]{32}$/) } },
    ]);
    expect(deliveries).toHaveLength(0);
    expect(socket.data().filter((f) => f.type === "command_result")).toHaveLength(0);

    FakeSocket.issued.add("forged-1"); // an analyst approved it after all: the Brain issued it
    expect(await agent.executeFromBridge(command("forged-1"))).toMatchObject({ state: "done", duplicate: false });
    await until(() => socket.data().some((f) => f.type === "command_result"), 3000, "the result, for the audit log");
    expect(socket.data().filter((f) => f.type === "command_result").map((f) => f.payload)).toEqual([
      { commandId: "forged-1", status: "sent", detail: { messageId: 42 } },
    ]);
    expect(deliveries.map((c) => c.commandId)).toEqual(["forged-1"]);
  });

  it("refuses when the Brain cannot answer: no socket, no answer, another creator's command", async () => {
    const offline = makeAgent();
    await offline.agent.start();
    expect(await offline.agent.executeFromBridge(command("c-1"))).toMatchObject({
      state: "refused",
      outcome: { detail: { reason: expect.stringContaining("not connected") } },
    });

    const { agent, deliveries, socket } = await connected(50);
    socket.verdicts = "ignore";
    FakeSocket.issued.add("c-2");
    expect(await agent.executeFromBridge(command("c-2"))).toMatchObject({
      state: "refused",
      outcome: { detail: { reason: expect.stringContaining("did not confirm") } },
    });
    FakeSocket.issued.add("c-3");
    expect(await agent.executeFromBridge(command("c-3", 999999))).toMatchObject({
      state: "refused",
      outcome: { detail: { reason: expect.stringContaining("another creator") } },
    });
    expect(deliveries).toHaveLength(0);
  });

  it("checks a command the socket delivered too, by the socket path", async () => {
    const { deliveries, socket } = await connected();
    socket.push({ type: "command_to_execute", payload: command("c-9") });
    await until(() => socket.data().some((f) => f.type === "command_result"), 3000, "result");
    expect(socket.checks().map((f) => f.payload)).toEqual([{ commandId: "c-9", via: "socket", installId: expect.any(String) }]);
    expect(deliveries.map((c) => c.commandId)).toEqual(["c-9"]);
  });
});
