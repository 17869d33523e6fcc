/**
 * An OnlyFans inbox and one tab showing it, as the background sees them: a `TabsApi` whose
 * content script answers `probe` and runs `backfill_step`s the way the page hook does: the
 * captured response goes to `deliver.capture` first, the step's result (summarized by the page
 * hook's own `summarize`) to `deliver.result` after. Every request is recorded with the clock's
 * time; `fail` answers chosen requests with an error instead.
 */
import type { TabsApi } from "../../src/background/commands";
import { summarize } from "../../src/page-hook/backfill-step";
import { failedStep, isBackfillStepRequest, type BackfillResult, type BackfillStep } from "../../src/shared/backfill-protocol";
import type { CaptureMessage } from "../../src/shared/protocol";

export const CREATOR = 300000;
const OF = "https://onlyfans.com/api2/v2";
const T0 = Date.parse("2024-01-01T00:00:00Z");

export interface FakeMessage {
  id: number;
  text: string;
  fromUser: { id: number; _view: string };
  createdAt: string;
}

export interface Request {
  at: number;
  step: BackfillStep;
}

/** An error answer, or `"lose"`: the response is answered but its capture never arrives. */
export type Failure = { status: number; retryAfter?: number | null } | "lose";

export class FakeInbox {
  /** fan id → messages, oldest first. */
  readonly chats = new Map<number, FakeMessage[]>();
  readonly requests: Request[] = [];
  visible = true;
  open = true;
  hasStore = true;
  /** After this many requests the tab stops answering (a worker that died mid-step). */
  answerUntil = Number.POSITIVE_INFINITY;
  chatPage = 10;
  messagePage = 10;
  fail: (request: Request, index: number) => Failure | null = () => null;
  private nextId = 5_100_000_000_000;
  private minute = 0;

  constructor(
    private readonly now: () => number,
    /** Where the tab's messages go (a test may hand the tab to a restarted Agent). */
    public deliver: { capture: (c: CaptureMessage) => void; result: (r: BackfillResult) => void },
  ) {}

  /** `chats` fans with `perChat` messages each, interleaved in time. */
  static seed(inbox: FakeInbox, chats: number, perChat: number): FakeInbox {
    for (let m = 0; m < perChat; m += 1) {
      for (let c = 0; c < chats; c += 1) inbox.write(400000 + c, `m${m} c${c}`);
    }
    return inbox;
  }

  write(fanId: number, text: string, fromCreator = false): FakeMessage {
    const message: FakeMessage = {
      id: this.nextId++,
      text: `<p>${text}</p>`,
      fromUser: { id: fromCreator ? CREATOR : fanId, _view: "m" },
      createdAt: new Date(T0 + 60_000 * this.minute++).toISOString(),
    };
    const list = this.chats.get(fanId) ?? [];
    list.push(message);
    this.chats.set(fanId, list);
    return message;
  }

  /** Fans, most recent last message first. */
  order(): number[] {
    const last = (fan: number) => this.chats.get(fan)?.at(-1)?.id ?? 0;
    return [...this.chats.keys()].sort((a, b) => last(b) - last(a));
  }

  chatItem(fan: number): Record<string, unknown> {
    return { withUser: { id: fan, _view: "m" }, lastMessage: this.chats.get(fan)?.at(-1) ?? null, unreadMessagesCount: 0 };
  }

  readonly tabs: TabsApi = {
    query: async () => (this.open ? [{ id: 7, url: "https://onlyfans.com/my/chats/", active: true }] : []),
    sendMessage: async (_tabId, message) => {
      if (!this.open) throw new Error("no tab");
      if ((message as { type?: string }).type === "probe") return { visible: this.visible };
      if (!isBackfillStepRequest(message)) throw new Error("unexpected message");
      void this.run(message.step);
      return { ok: true };
    },
  };

  private async run(step: BackfillStep): Promise<void> {
    await Promise.resolve();
    if (!this.hasStore) return this.deliver.result(failedStep(step.stepId, "no_store"));
    const request = { at: this.now(), step };
    const index = this.requests.push(request) - 1;
    if (index >= this.answerUntil) return;
    const failure = this.fail(request, index);
    const { path, body } = this.respond(step);
    if (failure === "lose") {
      await new Promise((r) => setTimeout(r, 0));
      return this.deliver.result(summarize(step, body, body));
    }
    if (failure) {
      this.deliver.capture(http(path, failure.status, { error: { code: failure.status } }));
      return this.deliver.result(failedStep(step.stepId, "request_failed", failure.status, failure.retryAfter ?? null));
    }
    this.deliver.capture(http(path, 200, body));
    await new Promise((r) => setTimeout(r, 0));
    this.deliver.result(summarize(step, body, body));
  }

  respond(step: BackfillStep): { path: string; body: unknown } {
    switch (step.action) {
      case "chats": {
        const fans = this.order();
        const page = fans.slice(step.offset, step.offset + this.chatPage);
        const next = step.offset + page.length;
        return {
          path: `/chats?limit=${this.chatPage}&offset=${step.offset}&order=recent&skip_users=all`,
          body: { list: page.map((fan) => this.chatItem(fan)), hasMore: next < fans.length, nextOffset: next },
        };
      }
      case "users":
        return {
          path: `/users/list?${step.ids.map((id) => `m[]=${id}`).join("&")}`,
          body: Object.fromEntries(step.ids.map((id) => [String(id), { id, name: `Fan ${id}`, username: `fan${id}` }])),
        };
      case "messages": {
        const all = [...(this.chats.get(Number(step.chatId)) ?? [])].reverse(); // newest first
        const start = step.beforeId === null ? 0 : all.findIndex((m) => m.id < Number(step.beforeId));
        const from = start < 0 ? all.length : start;
        const list = all.slice(from, from + this.messagePage);
        const cursor = step.beforeId === null ? "" : `&id=${step.beforeId}`;
        return {
          path: `/chats/${step.chatId}/messages?limit=${this.messagePage}&order=desc&skip_users=all${cursor}`,
          body: { list, hasMore: from + list.length < all.length },
        };
      }
    }
  }

  /** Requests of one kind, as comparable keys. */
  keys(): string[] {
    return this.requests.map(({ step }) => stepKey(step));
  }
}

export function stepKey(step: BackfillStep): string {
  switch (step.action) {
    case "chats":
      return `chats@${step.offset}`;
    case "users":
      return `users:${step.ids.join(",")}`;
    case "messages":
      return `messages:${step.chatId}@${step.beforeId ?? "newest"}`;
  }
}

function http(path: string, status: number, responseBody: unknown): CaptureMessage {
  return { source: "_OF_FORWARDER_", event: "fetch", data: { url: `${OF}${path}`, method: "GET", status, requestBody: null, responseBody } };
}
