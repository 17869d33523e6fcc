import { describe, expect, it, vi } from "vitest";
import { hookFetch, type FetchWindow } from "../../src/page-hook/fetch-hook";
import { CaptureHub } from "../../src/page-hook/hub";
import type { ForwarderMessage } from "../../src/shared/protocol";

const ORIGIN = "https://onlyfans.com";

function setup(impl: (input: unknown, init?: RequestInit) => Promise<Response>) {
  const original = vi.fn(impl);
  const posted: ForwarderMessage[] = [];
  const win: FetchWindow = {
    fetch: original as unknown as typeof fetch,
    location: { href: `${ORIGIN}/my/chats/` },
    Request,
  };
  hookFetch(win, new CaptureHub((m) => posted.push(m)));
  return { win, original, posted };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

describe("fetch wrapper", () => {
  it("gives the page the very promise and body, and captures a parsed copy", async () => {
    const page = { list: [{ id: 1, text: "<p>hi</p>" }], hasMore: false };
    let returned: Promise<Response> | undefined;
    const { win, original, posted } = setup((...args) => {
      returned = Promise.resolve(json(page));
      void args;
      return returned;
    });
    const result = win.fetch("/api2/v2/chats/400001/messages?limit=10&order=desc");
    expect(result).toBe(returned);
    const response = await result;
    expect(await response.json()).toEqual(page);
    expect(original).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => expect(posted).toHaveLength(1));
    expect(posted[0]).toEqual({
      source: "_OF_FORWARDER_",
      event: "fetch",
      data: {
        url: `${ORIGIN}/api2/v2/chats/400001/messages?limit=10&order=desc`,
        method: "GET",
        status: 200,
        requestBody: null,
        responseBody: page,
      },
    });
  });

  it("keeps a streaming body intact for the page", async () => {
    const chunks = ['{"list":[', '{"withUser":{"id":7}}', "]}"];
    const encoder = new TextEncoder();
    const { win, posted } = setup(async () => {
      const stream = new ReadableStream<Uint8Array>({
        async start(controller) {
          for (const chunk of chunks) {
            await new Promise((r) => setTimeout(r, 5));
            controller.enqueue(encoder.encode(chunk));
          }
          controller.close();
        },
      });
      return new Response(stream, { status: 200 });
    });
    const response = await win.fetch("/api2/v2/chats?limit=10&offset=0&order=recent");
    const reader = response.body!.getReader();
    const seen: string[] = [];
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      seen.push(decoder.decode(value));
    }
    expect(seen.join("")).toBe(chunks.join(""));
    await vi.waitFor(() => expect(posted).toHaveLength(1));
    expect(posted[0]?.data).toMatchObject({ responseBody: { list: [{ withUser: { id: 7 } }] } });
  });

  it("passes errors through unchanged: same rejection, same synchronous throw", async () => {
    const failure = new TypeError("Failed to fetch");
    const { win } = setup(() => Promise.reject(failure));
    await expect(win.fetch("/api2/v2/chats/1/messages")).rejects.toBe(failure);
    const thrown = new Error("sync");
    const { win: win2 } = setup(() => {
      throw thrown;
    });
    expect(() => win2.fetch("/api2/v2/chats/1/messages")).toThrow(thrown);
  });

  it("gives the page the response of a non-2xx send and captures its request body", async () => {
    const { win, posted } = setup(() => Promise.resolve(json({ error: { code: 429, message: "Too many" } }, 429)));
    const body = JSON.stringify({ text: "<p>hello</p>", price: 0 });
    const response = await win.fetch(`${ORIGIN}/api2/v2/chats/400001/messages`, { method: "POST", body });
    expect(response.status).toBe(429);
    expect(await response.json()).toEqual({ error: { code: 429, message: "Too many" } });
    await vi.waitFor(() => expect(posted).toHaveLength(1));
    expect(posted[0]?.data).toMatchObject({ method: "POST", status: 429, requestBody: { text: "<p>hello</p>", price: 0 } });
  });

  it("reads the body of a Request object without consuming the page's", async () => {
    const { win, original, posted } = setup(async (input) => {
      const request = input as Request;
      return json({ id: 99, text: (await request.json()).text });
    });
    const request = new Request(`${ORIGIN}/api2/v2/chats/5/messages`, {
      method: "POST",
      body: JSON.stringify({ text: "<p>x</p>" }),
    });
    const response = await win.fetch(request);
    expect(await response.json()).toEqual({ id: 99, text: "<p>x</p>" });
    expect(original).toHaveBeenCalledWith(request);
    await vi.waitFor(() => expect(posted).toHaveLength(1));
    expect(posted[0]?.data).toMatchObject({ requestBody: { text: "<p>x</p>" }, responseBody: { id: 99 } });
  });

  it("captures only chat endpoints and does not even clone other responses", async () => {
    const clone = vi.spyOn(Response.prototype, "clone");
    const { win, posted } = setup(() => Promise.resolve(json({ ok: true })));
    for (const url of [
      "/api2/v2/posts?limit=10",
      "/api2/v2/users/400001",
      "/api2/v2/chats/400001/media",
      "/api2/v2/chats/400001/messages/search?query=x",
      "https://cdn2.onlyfans.com/file.jpg",
      "/my/chats/",
    ]) {
      await (await win.fetch(url)).json();
    }
    await new Promise((r) => setTimeout(r, 20));
    expect(posted).toHaveLength(0);
    expect(clone).not.toHaveBeenCalled();
    clone.mockRestore();
  });

  it("captures every chat endpoint of the table", async () => {
    const { win, posted } = setup(() => Promise.resolve(json({})));
    const calls: [string, string][] = [
      ["GET", "/api2/v2/users/me"],
      ["GET", "/api2/v2/chats?limit=10&offset=0&order=recent&skip_users=all"],
      ["GET", "/api2/v2/chats/1/messages?limit=10"],
      ["POST", "/api2/v2/chats/1/messages"],
      ["GET", "/api2/v2/users/list?m[]=1&m[]=2"],
      ["POST", "/api2/v2/chats/1/mark-as-read"],
      ["DELETE", "/api2/v2/messages/55"],
      ["POST", "/api2/v2/messages/55/like"],
      ["DELETE", "/api2/v2/messages/55/like"],
    ];
    for (const [method, url] of calls) await win.fetch(url, { method });
    await vi.waitFor(() => expect(posted).toHaveLength(calls.length));
  });

  it("looks native: name, length, toString, no prototype", () => {
    const { win, original } = setup(() => Promise.resolve(json({})));
    expect(win.fetch).not.toBe(original);
    expect(win.fetch.name).toBe(original.name);
    expect(win.fetch.length).toBe(original.length);
    expect(String(win.fetch)).toBe(String(original));
    expect(Function.prototype.toString.call(win.fetch)).toBe(Function.prototype.toString.call(original));
    expect(Function.prototype.toString.toString()).toBe("function toString() { [native code] }");
    expect("prototype" in win.fetch).toBe(false);
  });

  it("redacts what it posts but never what the page reads", async () => {
    const me = { id: 300000, wsAuthToken: "SECRET-WS", wsUrl: "wss://ws2.onlyfans.com/ws3/24" };
    const { win, posted } = setup(() => Promise.resolve(json(me)));
    const response = await win.fetch("/api2/v2/users/me?sign=SIGN&time=123");
    expect(await response.json()).toEqual(me);
    await vi.waitFor(() => expect(posted).toHaveLength(1));
    const text = JSON.stringify(posted);
    expect(text).not.toContain("SECRET-WS");
    expect(text).not.toContain("SIGN");
    expect(text).not.toContain("time=");
  });

  it("captures only the page's own origin: another server's answer is not OnlyFans'", async () => {
    const forged = { list: [{ id: 9, text: "<p>a $500 tip</p>", isTip: true, price: 500, fromUser: { id: 400001 } }] };
    const { win, posted } = setup(() => Promise.resolve(json(forged)));
    for (const url of [
      "https://tips.evil.example/api2/v2/chats/400001/messages",
      "https://onlyfans.com.evil.example/api2/v2/chats/400001/messages",
      "http://onlyfans.com/api2/v2/chats/400001/messages",
    ]) {
      await win.fetch(url);
    }
    await win.fetch("/api2/v2/chats/400001/messages");
    await vi.waitFor(() => expect(posted).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 10));
    expect(posted.map((m) => (m.data as { url: string }).url)).toEqual([`${ORIGIN}/api2/v2/chats/400001/messages`]);
  });
});
