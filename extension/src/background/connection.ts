/**
 * One Agent socket to the Brain: `${brainUrl}/ws/agent?token=…`.
 *
 * `open()` resolves with the `connection_ack` payload. After that `request(ref, text)` sends a
 * frame and resolves with the Brain's receipt for that `ref` (`ingest_ack` or `system_error`);
 * `exchange(ref, text, answerType)` also resolves with the first frame of `answerType` (the
 * `sync_state` that answers a `sync_hello`); `ask(ref, text, matches)` resolves with the first
 * frame `matches` accepts (the `command_verdict` for one `command_check`). Frames nobody asked
 * for (`command_to_execute`, `clear_local_data`, `sync_request`, errors without a pending ref)
 * go to `onFrame`. A `keepalive` goes out every `keepaliveIntervalS` (20 s) while open,
 * which also keeps the MV3 service worker alive (Chrome ≥ 116 counts WebSocket traffic).
 */
import type { ConnectionInfo, OutgoingWssMessage } from "../gen/wss-outgoing";
import { isObject } from "../shared/protocol";

export type Receipt =
  | { kind: "ack"; duplicate: boolean }
  | { kind: "error"; code: string; message: string }
  | { kind: "closed" }
  | { kind: "timeout" };

export type ServerFrame = OutgoingWssMessage & { type: string };

/** A receipt, or the answer frame an `exchange` waited for. */
export type Answer = Receipt | { kind: "frame"; frame: ServerFrame };

export const KEEPALIVE_FRAME = '{"type":"keepalive","payload":{}}';

export interface ConnectionOptions {
  WebSocketCtor: typeof WebSocket;
  ackTimeoutMs: number;
  keepaliveMs?: number;
  log: (event: string, fields?: Record<string, unknown>) => void;
}

export function agentSocketUrl(brainUrl: string, token: string): string {
  let base = brainUrl.trim().replace(/\/+$/, "");
  if (base.startsWith("http://")) base = `ws://${base.slice("http://".length)}`;
  else if (base.startsWith("https://")) base = `wss://${base.slice("https://".length)}`;
  return `${base}/ws/agent?token=${encodeURIComponent(token)}`;
}

export class BrainConnection {
  info: ConnectionInfo | null = null;
  onFrame: (frame: ServerFrame) => void = () => undefined;
  readonly closed: Promise<void>;

  private readonly ws: WebSocket;
  private readonly pending = new Map<string, (receipt: Receipt) => void>();
  private readonly answers = new Set<{ matches: (frame: ServerFrame) => boolean; take: (frame: ServerFrame) => void }>();
  private keepalive: ReturnType<typeof setInterval> | null = null;
  private markClosed: () => void = () => undefined;
  private isClosed = false;
  private ackWaiter: ((info: ConnectionInfo | null) => void) | null = null;

  constructor(url: string, private readonly options: ConnectionOptions) {
    this.closed = new Promise((resolve) => {
      this.markClosed = resolve;
    });
    this.ws = new options.WebSocketCtor(url);
    this.ws.addEventListener("message", (event) => this.receive(event.data));
    this.ws.addEventListener("close", () => this.finish());
    this.ws.addEventListener("error", () => this.finish());
  }

  /** Wait for `connection_ack`; null when the socket closed (or never acknowledged). */
  open(timeoutMs = 15_000): Promise<ConnectionInfo | null> {
    if (this.info) return Promise.resolve(this.info);
    if (this.isClosed) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.close();
        resolve(null);
      }, timeoutMs);
      this.ackWaiter = (info) => {
        clearTimeout(timer);
        resolve(info);
      };
    });
  }

  get isOpen(): boolean {
    return !this.isClosed && this.info !== null;
  }

  /** Send `text` and wait for the receipt matching `ref`. */
  request(ref: string, text: string, timeoutMs = this.options.ackTimeoutMs): Promise<Receipt> {
    if (this.isClosed) return Promise.resolve({ kind: "closed" });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(ref);
        resolve({ kind: "timeout" });
      }, timeoutMs);
      this.pending.set(ref, (receipt) => {
        clearTimeout(timer);
        this.pending.delete(ref);
        resolve(receipt);
      });
      try {
        this.ws.send(text);
      } catch {
        this.pending.get(ref)?.({ kind: "closed" });
        this.close();
      }
    });
  }

  /** Send `text` and wait for its receipt or the first frame of type `answerType`, whichever
   * comes first (`timeout` after `timeoutMs`). */
  exchange(ref: string, text: string, answerType: string, timeoutMs: number): Promise<Answer> {
    return this.ask(ref, text, (frame) => frame.type === answerType, timeoutMs);
  }

  /** Send `text` and wait for its receipt or the first frame `matches` accepts. */
  ask(ref: string, text: string, matches: (frame: ServerFrame) => boolean, timeoutMs: number): Promise<Answer> {
    if (this.isClosed) return Promise.resolve({ kind: "closed" });
    return new Promise((resolve) => {
      let done = false;
      const waiter = { matches, take: (frame: ServerFrame) => finish({ kind: "frame", frame }) };
      const finish = (answer: Answer): void => {
        if (done) return;
        done = true;
        this.answers.delete(waiter);
        this.pending.delete(ref);
        resolve(answer);
      };
      this.answers.add(waiter);
      void this.request(ref, text, timeoutMs).then(finish);
    });
  }

  close(code = 1000): void {
    try {
      this.ws.close(code);
    } catch {
      // already closing
    }
    this.finish();
  }

  private startKeepalive(info: ConnectionInfo): void {
    const fromServer = typeof info.keepaliveIntervalS === "number" ? info.keepaliveIntervalS * 1000 : 20_000;
    // Never above 25 s: Chrome stops an idle service worker after 30 s.
    const every = this.options.keepaliveMs ?? Math.min(Math.max(fromServer, 1_000), 25_000);
    this.keepalive = setInterval(() => {
      try {
        this.ws.send(KEEPALIVE_FRAME);
      } catch {
        this.close();
      }
    }, every);
  }

  private receive(data: unknown): void {
    if (typeof data !== "string") return;
    let frame: unknown;
    try {
      frame = JSON.parse(data);
    } catch {
      this.options.log("brain_frame_unreadable");
      return;
    }
    if (!isObject(frame) || typeof frame.type !== "string") return;
    const payload = isObject(frame.payload) ? frame.payload : {};
    switch (frame.type) {
      case "connection_ack": {
        if (this.info) return;
        const info = payload as unknown as ConnectionInfo;
        if (typeof info.maxFrameBytes !== "number" || !Array.isArray(info.userIds)) {
          this.options.log("brain_ack_invalid");
          this.close();
          return;
        }
        this.info = info;
        this.startKeepalive(info);
        this.ackWaiter?.(info);
        this.ackWaiter = null;
        return;
      }
      case "ingest_ack": {
        const waiter = typeof payload.ref === "string" ? this.pending.get(payload.ref) : undefined;
        if (waiter) waiter({ kind: "ack", duplicate: payload.duplicate === true });
        return;
      }
      case "system_error": {
        const waiter = typeof payload.ref === "string" ? this.pending.get(payload.ref) : undefined;
        const code = typeof payload.code === "string" ? payload.code : "internal";
        const message = typeof payload.message === "string" ? payload.message : "";
        if (waiter) waiter({ kind: "error", code, message });
        else this.onFrame(frame as unknown as ServerFrame);
        return;
      }
      default: {
        const server = frame as unknown as ServerFrame;
        const answer = [...this.answers].find((waiter) => waiter.matches(server));
        if (answer) answer.take(server);
        else this.onFrame(server);
      }
    }
  }

  private finish(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    if (this.keepalive !== null) clearInterval(this.keepalive);
    this.keepalive = null;
    for (const waiter of [...this.pending.values()]) waiter({ kind: "closed" });
    this.pending.clear();
    this.answers.clear();
    this.ackWaiter?.(null);
    this.ackWaiter = null;
    this.markClosed();
  }
}
