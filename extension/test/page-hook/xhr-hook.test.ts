import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { JSDOM } from "jsdom";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { CaptureHub } from "../../src/page-hook/hub";
import { hookXhr } from "../../src/page-hook/xhr-hook";
import type { ForwarderMessage } from "../../src/shared/protocol";

let server: Server;
let origin = "";

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      if (req.url?.startsWith("/drop")) {
        req.socket.destroy();
        return;
      }
      res.setHeader("content-type", "application/json");
      if (req.url?.startsWith("/api2/v2/users/me")) {
        res.end(JSON.stringify({ id: 300000, wsAuthToken: "SECRET-WS" }));
      } else if (req.method === "POST") {
        const sent = JSON.parse(body || "{}") as { text?: string };
        res.end(JSON.stringify({ id: 5100000000009, text: sent.text ?? null }));
      } else {
        res.end(JSON.stringify({ list: [{ id: 1 }], hasMore: false, path: req.url }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.close();
});

function page(hooked: boolean) {
  const dom = new JSDOM("<!doctype html><p>page</p>", { url: `${origin}/my/chats/` });
  const win = dom.window as unknown as Window & typeof globalThis;
  const posted: ForwarderMessage[] = [];
  if (hooked) hookXhr(win, new CaptureHub((m) => posted.push(m)));
  return { win, posted };
}

interface Trace {
  states: number[];
  events: string[];
  status: number;
  text: string;
  response: unknown;
}

function request(
  win: Window & typeof globalThis,
  method: string,
  url: string,
  options: { body?: string; responseType?: XMLHttpRequestResponseType } = {},
): Promise<Trace> {
  return new Promise((resolve) => {
    const xhr = new win.XMLHttpRequest();
    const trace: Trace = { states: [], events: [], status: -1, text: "", response: null };
    xhr.onreadystatechange = () => trace.states.push(xhr.readyState);
    for (const type of ["loadstart", "load", "error", "loadend"]) {
      xhr.addEventListener(type, () => trace.events.push(type));
    }
    xhr.onload = () => {
      trace.events.push(`onload@${xhr.readyState}`);
    };
    xhr.onloadend = () => {
      trace.status = xhr.status;
      trace.text = xhr.responseType === "" || xhr.responseType === "text" ? xhr.responseText : "";
      trace.response = xhr.response;
      resolve(trace);
    };
    xhr.open(method, url);
    if (options.responseType) xhr.responseType = options.responseType;
    xhr.send(options.body ?? null);
  });
}

describe("XMLHttpRequest wrapper", () => {
  it("keeps readyState, events, onload and the response exactly as without the hook", async () => {
    const url = "/api2/v2/chats/400001/messages?limit=10";
    const plain = await request(page(false).win, "GET", url);
    const hooked = page(true);
    const seen = await request(hooked.win, "GET", url);
    expect(seen).toEqual(plain);
    expect(seen.events).toContain("onload@4");
    expect(seen.states.at(-1)).toBe(4);
    await vi.waitFor(() => expect(hooked.posted).toHaveLength(1));
    expect(hooked.posted[0]).toMatchObject({
      event: "xhr",
      data: { method: "GET", status: 200, responseBody: { list: [{ id: 1 }] } },
    });
  });

  it("captures a send with its request body", async () => {
    const { win, posted } = page(true);
    const trace = await request(win, "POST", `${origin}/api2/v2/chats/400001/messages`, {
      body: JSON.stringify({ text: "<p>hello</p>", price: 0 }),
    });
    expect(JSON.parse(trace.text)).toEqual({ id: 5100000000009, text: "<p>hello</p>" });
    await vi.waitFor(() => expect(posted).toHaveLength(1));
    expect(posted[0]?.data).toMatchObject({
      method: "POST",
      requestBody: { text: "<p>hello</p>", price: 0 },
      responseBody: { id: 5100000000009 },
    });
  });

  it("hands the page its own json object and posts a redacted copy", async () => {
    const { win, posted } = page(true);
    const trace = await request(win, "GET", "/api2/v2/users/me", { responseType: "json" });
    expect(trace.response).toEqual({ id: 300000, wsAuthToken: "SECRET-WS" });
    await vi.waitFor(() => expect(posted).toHaveLength(1));
    expect(JSON.stringify(posted)).not.toContain("SECRET-WS");
  });

  it("ignores other endpoints", async () => {
    const { win, posted } = page(true);
    await request(win, "GET", "/api2/v2/posts?limit=1");
    await request(win, "GET", "/api2/v2/chats/1/media");
    await new Promise((r) => setTimeout(r, 20));
    expect(posted).toHaveLength(0);
  });

  it("lets a network error reach the page as before", async () => {
    const plain = await request(page(false).win, "POST", "/drop/api2/v2/chats/1/messages");
    const hooked = await request(page(true).win, "POST", "/drop/api2/v2/chats/1/messages");
    expect(hooked).toEqual(plain);
    expect(hooked.events).toContain("error");
  });

  it("keeps the constructor, statics and prototype methods native-looking", () => {
    const { win } = page(true);
    const plain = page(false).win;
    const xhr = new win.XMLHttpRequest();
    expect(xhr).toBeInstanceOf(win.XMLHttpRequest);
    expect(win.XMLHttpRequest.DONE).toBe(4);
    expect(win.XMLHttpRequest.prototype.open.name).toBe("open");
    expect(win.XMLHttpRequest.prototype.send.length).toBe(plain.XMLHttpRequest.prototype.send.length);
    expect(String(win.XMLHttpRequest.prototype.open)).toBe(String(plain.XMLHttpRequest.prototype.open));
  });
});
