import { describe, expect, it } from "vitest";
import { Agent } from "../../src/background/agent";
import { REQUEST_BADGE } from "../../src/background/backfill/consent";
import { handleUiRequest } from "../../src/background/ui-requests";
import { FakeSocket } from "../helpers/fake-brain";
import { MemoryStorage } from "../helpers/memory-storage";

const OTHER = "http://localhost:3000";

async function setup(storage = new MemoryStorage({})) {
  const badges: string[] = [];
  const agent = new Agent({
    storage,
    tabs: { query: async () => [], sendMessage: async () => undefined },
    WebSocketCtor: FakeSocket as unknown as typeof WebSocket,
    log: () => undefined,
    badge: (text) => void badges.push(text),
  });
  await agent.start();
  return { agent, badges, storage };
}

const settle = () => new Promise((r) => setTimeout(r, 5));

describe("pages that are not a configured dashboard read only with the creator's consent", () => {
  it("a read asks once, with a badge; Allow lets that origin read, and is remembered", async () => {
    const { agent, badges } = await setup();
    expect(await agent.readAccess(OTHER)).toBe("asked");
    expect(await agent.readAccess(OTHER)).toBe("asked");
    await settle();
    expect(badges.at(-1)).toBe(REQUEST_BADGE);
    expect((await agent.status()).readOrigins).toEqual({ pending: [{ origin: OTHER, at: expect.any(Number) }], decisions: {} });

    expect(await handleUiRequest({ type: "read_origin_decide", origin: OTHER, allow: true }, agent)).toEqual({ ok: true });
    await settle();
    expect(badges.at(-1)).toBe("");
    expect(await agent.readAccess(OTHER)).toBe("allowed");
    expect((await agent.status()).readOrigins).toEqual({ pending: [], decisions: { [OTHER]: "allowed" } });
  });

  it("Deny is remembered (no new request), and revoking asks again", async () => {
    const { agent } = await setup();
    await agent.readAccess(OTHER);
    await handleUiRequest({ type: "read_origin_decide", origin: OTHER, allow: false }, agent);
    expect(await agent.readAccess(OTHER)).toBe("denied");
    expect((await agent.status()).readOrigins.pending).toEqual([]);
    expect(await handleUiRequest({ type: "read_origin_forget", origin: OTHER }, agent)).toEqual({ ok: true });
    expect((await agent.status()).readOrigins.decisions).toEqual({});
    expect(await agent.readAccess(OTHER)).toBe("asked");
  });

  it("keeps the badge after a restart and at most 20 requests, the newest", async () => {
    const { agent, storage } = await setup();
    for (let port = 3000; port < 3025; port += 1) await agent.readAccess(`http://localhost:${port}`);
    const pending = (await agent.status()).readOrigins.pending.map((r) => r.origin);
    expect(pending).toHaveLength(20);
    expect(pending[0]).toBe("http://localhost:3005");
    const again = await setup(storage);
    await settle();
    expect(again.badges.at(-1)).toBe(REQUEST_BADGE);
  });

  it("refuses malformed answers", async () => {
    const { agent } = await setup();
    expect(await handleUiRequest({ type: "read_origin_decide", origin: OTHER }, agent)).toMatchObject({ ok: false });
    expect(await handleUiRequest({ type: "read_origin_forget" }, agent)).toMatchObject({ ok: false });
  });
});
