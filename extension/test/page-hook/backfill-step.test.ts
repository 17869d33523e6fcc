import { describe, expect, it, vi } from "vitest";
import { installPageHook } from "../../src/page-hook";
import type { StepTiming } from "../../src/page-hook/backfill-step";
import type { Timing } from "../../src/page-hook/executor";
import type { BackfillStep } from "../../src/shared/backfill-protocol";
import type { ForwarderMessage } from "../../src/shared/protocol";
import { contentSide } from "../helpers/page-port";
import { vuexPage, type Reply } from "../helpers/vuex-page";

const TIMING = { pollMs: 5 } as Timing;
const STEPS: StepTiming = { storeMs: 100, dispatchMs: 1_000, captureMs: 100, pollMs: 5 };

const message = (id: number, minute: number) => ({
  id,
  text: `<p>${id}</p>`,
  fromUser: { id: 400001, _view: "m" },
  createdAt: new Date(Date.UTC(2024, 4, 1, 0, minute)).toISOString(),
});

function ok(url: URL): Reply {
  if (url.pathname === "/api2/v2/chats") {
    return { status: 200, body: { list: [{ withUser: { id: 400001, _view: "m" } }, { withUser: { id: 400002, _view: "m" } }], hasMore: true, nextOffset: 10 } };
  }
  if (url.pathname === "/api2/v2/users/list") {
    return { status: 200, body: { "400001": { id: 400001, name: "Fan One" }, "400002": { id: 400002, name: "Fan Two" } } };
  }
  return { status: 200, body: { list: [message(5100000000003, 3), message(5100000000002, 2), message(5100000000001, 1)], hasMore: true } };
}

function setup(respond: (url: URL) => Reply = ok, options: { store?: boolean } = {}) {
  const page = vuexPage(respond, options);
  const hook = installPageHook(page.win, TIMING, STEPS);
  const content = contentSide(page.win);
  const posted = content.posted as ForwarderMessage[];
  return { page, hook, posted, send: content.send };
}

type Unsent<T> = T extends unknown ? Omit<T, "stepId"> & { stepId?: string } : never;
const step = (s: Unsent<BackfillStep>) => ({ stepId: "s-1", ...s }) as BackfillStep;

describe("backfill steps in the page", () => {
  it("dispatch exactly one store action per step, which makes the app's one request", async () => {
    const { page, hook } = setup();
    await hook.backfillStep(step({ action: "chats", offset: 20 }));
    await hook.backfillStep(step({ action: "users", ids: [400001, 400002] }));
    await hook.backfillStep(step({ action: "messages", chatId: 400001, beforeId: null }));
    await hook.backfillStep(step({ action: "messages", chatId: 400001, beforeId: 5100000000001 }));
    expect(page.dispatched).toEqual([
      { type: "chats/fetchChats", payload: { offset: 20 } },
      { type: "users/fetchUsers", payload: { ids: [400001, 400002] } },
      { type: "chats/fetchMessages", payload: { chatId: 400001 } },
      { type: "chats/fetchMessages", payload: { chatId: 400001, id: 5100000000001 } },
    ]);
    expect(page.requests).toEqual([
      "/api2/v2/chats?limit=10&offset=20&order=recent&skip_users=all",
      "/api2/v2/users/list?m[]=400001&m[]=400002",
      "/api2/v2/chats/400001/messages?limit=20&order=desc&skip_users=all",
      "/api2/v2/chats/400001/messages?limit=20&order=desc&skip_users=all&id=5100000000001",
    ]);
  });

  it("answer with a summary of the page", async () => {
    const { hook } = setup();
    const result = await hook.backfillStep(step({ action: "messages", chatId: 400001, beforeId: null }));
    expect(result).toEqual({
      stepId: "s-1",
      ok: true,
      status: null,
      retryAfter: null,
      error: null,
      hasMore: true,
      nextOffset: null,
      count: 3,
      ids: [5100000000003, 5100000000002, 5100000000001],
      oldestId: 5100000000001,
      oldestAt: Date.UTC(2024, 4, 1, 0, 1),
      newestId: 5100000000003,
    });
    const list = await hook.backfillStep(step({ stepId: "s-2", action: "chats", offset: 0 }));
    expect(list).toMatchObject({ ok: true, hasMore: true, nextOffset: 10, count: 2, ids: [400001, 400002] });
  });

  it("post the result on the private channel only once the capture went out, one step at a time", async () => {
    const { page, posted, send } = setup();
    send({ source: "_OF_BACKEND_", type: "backfill_step", step: step({ stepId: "a", action: "messages", chatId: 400001, beforeId: null }) });
    send({ source: "_OF_BACKEND_", type: "backfill_step", step: step({ stepId: "b", action: "chats", offset: 0 }) });
    send({ source: "_OF_BACKEND_", type: "backfill_step", step: { stepId: "c", action: "chats", offset: "0" } });
    await vi.waitFor(() => expect(posted.filter((m) => m.event === "backfill_result")).toHaveLength(2));
    const events = posted.map((m) => (m.event === "backfill_result" ? `result:${m.data.stepId}` : `${m.event}:${new URL((m.data as { url: string }).url).pathname}`));
    expect(events).toEqual([
      "fetch:/api2/v2/chats/400001/messages",
      "result:a",
      "fetch:/api2/v2/chats",
      "result:b",
    ]);
    expect(page.maxConcurrent).toBe(1);
  });

  it("carry the status and Retry-After of a refused request", async () => {
    const { hook } = setup((url) =>
      url.pathname.endsWith("/messages") ? { status: 429, body: { error: { code: 429 } }, retryAfter: "30" } : { status: 503, body: {} },
    );
    expect(await hook.backfillStep(step({ action: "messages", chatId: 400001, beforeId: null }))).toMatchObject({
      ok: false,
      status: 429,
      retryAfter: 30,
      error: "request_failed",
      count: 0,
    });
    expect(await hook.backfillStep(step({ action: "chats", offset: 0 }))).toMatchObject({ ok: false, status: 503, retryAfter: null });
  });

  it("report a page without the app's store instead of guessing, and use a store that shows up late", async () => {
    const { page, hook } = setup(ok, { store: false });
    expect(await hook.backfillStep(step({ action: "chats", offset: 0 }))).toMatchObject({ ok: false, error: "no_store" });
    expect(page.requests).toEqual([]);
    setTimeout(() => page.installStore(), 30);
    expect(await hook.backfillStep(step({ action: "chats", offset: 0 }))).toMatchObject({ ok: true, count: 2 });
  });

  it("do not answer ok when the response was never captured", async () => {
    const { page, hook } = setup();
    // An app build whose action answers from elsewhere (no request the hook sees).
    Object.assign(page.win.document.getElementById("app") as HTMLElement, {
      __vue__: { $store: { dispatch: async () => ({ list: [], hasMore: false }) } },
    });
    expect(await hook.backfillStep(step({ action: "chats", offset: 0 }))).toMatchObject({ ok: false, error: "not_captured" });
  });
});
