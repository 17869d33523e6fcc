/**
 * The OnlyFans app as the backfill sees it, in jsdom: `#app.__vue__.$store.dispatch(type,
 * payload)` with the three actions the simulator has, each issuing exactly one request through
 * the page's `fetch` (looked up at call time, so the hook's wrapper sees it) and resolving the
 * parsed body; a non-2xx rejects with an Error carrying `status`, `retryAfter` (seconds, from
 * `Retry-After`, or null) and `body`.
 */
import { JSDOM } from "jsdom";

export interface Reply {
  status: number;
  body: unknown;
  retryAfter?: string;
}

export interface VuexPage {
  win: Window & typeof globalThis;
  dispatched: { type: string; payload: unknown }[];
  requests: string[];
  /** Most dispatches running at once. */
  maxConcurrent: number;
  installStore(): void;
}

export function vuexPage(respond: (url: URL) => Reply, options: { store?: boolean } = {}): VuexPage {
  const dom = new JSDOM(`<!doctype html><div id="app"></div>`, { url: "https://onlyfans.com/my/chats/" });
  const win = dom.window as unknown as Window & typeof globalThis;
  const page: VuexPage = { win, dispatched: [], requests: [], maxConcurrent: 0, installStore };
  let running = 0;

  win.fetch = (async (input: RequestInfo | URL) => {
    const url = new URL(String(input), win.location.href);
    page.requests.push(`${url.pathname}${url.search}`);
    const reply = respond(url);
    const headers = reply.retryAfter ? { "Retry-After": reply.retryAfter } : undefined;
    await new Promise((r) => setTimeout(r, 2));
    return new Response(JSON.stringify(reply.body), { status: reply.status, headers });
  }) as typeof fetch;

  async function get(path: string): Promise<unknown> {
    const response = await win.fetch(`/api2/v2${path}`);
    const body: unknown = await response.json();
    if (!response.ok) {
      const retry = response.headers.get("Retry-After");
      throw Object.assign(new Error(`HTTP ${response.status}`), {
        status: response.status,
        retryAfter: retry === null ? null : Number(retry),
        body,
      });
    }
    return body;
  }

  const actions: Record<string, (payload: Record<string, unknown>) => Promise<unknown>> = {
    "chats/fetchChats": (p) => get(`/chats?limit=10&offset=${String(p.offset)}&order=recent&skip_users=all`),
    "users/fetchUsers": (p) => get(`/users/list?${(p.ids as number[]).map((id) => `m[]=${id}`).join("&")}`),
    "chats/fetchMessages": (p) =>
      get(`/chats/${String(p.chatId)}/messages?limit=20&order=desc&skip_users=all${p.id === undefined ? "" : `&id=${String(p.id)}`}`),
  };

  function installStore(): void {
    const store = {
      async dispatch(type: string, payload: Record<string, unknown>) {
        page.dispatched.push({ type, payload });
        running += 1;
        page.maxConcurrent = Math.max(page.maxConcurrent, running);
        try {
          const action = actions[type];
          if (!action) throw new Error(`[vuex] unknown action type: ${type}`);
          return await action(payload);
        } finally {
          running -= 1;
        }
      },
    };
    Object.assign(win.document.getElementById("app") as HTMLElement, { __vue__: { $store: store } });
  }

  if (options.store ?? true) installStore();
  return page;
}
