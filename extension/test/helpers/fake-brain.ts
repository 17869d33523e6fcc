/**
 * A fake of the browser WebSocket as the background uses it, with a server side the test
 * drives: `accept()` sends `connection_ack`, `push()` sends any frame, `ack()` / `fail()`
 * answer a frame by `ref`, and `autoAck` answers every frame as the gateway would.
 *
 * `sync_hello` is answered at once according to `hello` (default `"brain"`: as the gateway
 * decides, from `FakeSocket.records`, the last whole snapshot per installId, which `ack()`
 * keeps like the gateway does; `"refuse"`: `unknown_type` as an older Brain; `"ignore"`: no
 * answer; or a fixed `{mode, reason}`).
 *
 * `command_check` is answered with a `command_verdict` according to `verdicts` (default
 * `"brain"`: executable only for a commandId the Brain issued, i.e. pushed as
 * `command_to_execute` on any socket or added to `FakeSocket.issued`; `"ignore"`: no answer).
 */
export type HelloPolicy = "brain" | "refuse" | "ignore" | { mode: "incremental" | "full"; reason: string };
export interface SentFrame {
  type: string;
  ref?: string;
  payload?: any;
}

/** Frames the gateway answers with something else than an `ingest_ack`. */
const QUESTIONS: ReadonlySet<string> = new Set(["keepalive", "sync_hello", "command_check"]);

export class FakeSocket extends EventTarget {
  static instances: FakeSocket[] = [];
  /** The Brain's record: installId → the last snapshot every part of which was acknowledged. */
  static records = new Map<string, string>();
  /** The commandIds the Brain issued (its `command_check` says yes to these only). */
  static issued = new Set<string>();
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;

  readonly url: string;
  readyState = 0;
  sent: string[] = [];
  closeCode: number | undefined;
  /** Called for every frame the Agent sends (after it is recorded). */
  onSend: ((frame: SentFrame, text: string) => void) | null = null;
  hello: HelloPolicy = "brain";
  verdicts: "brain" | "ignore" = "brain";
  private readonly partsAcked = new Map<string, Set<number>>();

  constructor(url: string | URL) {
    super();
    this.url = String(url);
    FakeSocket.instances.push(this);
  }

  static reset(): void {
    FakeSocket.instances = [];
    FakeSocket.records = new Map();
    FakeSocket.issued = new Set();
  }

  static latest(): FakeSocket {
    const socket = FakeSocket.instances.at(-1);
    if (!socket) throw new Error("no socket opened");
    return socket;
  }

  send(text: string): void {
    if (this.readyState !== 1) throw new Error("InvalidStateError: not open");
    this.sent.push(text);
    const frame = JSON.parse(text) as SentFrame;
    if (frame.type === "sync_hello") queueMicrotask(() => this.answerHello(frame));
    if (frame.type === "command_check") queueMicrotask(() => this.answerCheck(frame));
    this.onSend?.(frame, text);
  }

  private answerHello(frame: SentFrame): void {
    const policy = this.hello;
    if (policy === "ignore" || this.readyState !== 1) return;
    if (policy === "refuse") return this.fail(frame.ref, "unknown_type");
    const { installId, snapshotId } = frame.payload as { installId: string; snapshotId: string | null };
    let answer = policy === "brain" ? null : policy;
    if (!answer) {
      const held = FakeSocket.records.get(installId);
      if (held === undefined) answer = { mode: "full", reason: snapshotId === null ? "first_sync" : "unknown_snapshot" };
      else if (held === snapshotId) answer = { mode: "incremental", reason: "resume" };
      else answer = { mode: "full", reason: "fenced" };
    }
    this.push({ type: "sync_state", payload: { ...answer, installId, snapshotId: FakeSocket.records.get(installId) ?? null } });
  }

  private answerCheck(frame: SentFrame): void {
    if (this.verdicts === "ignore" || this.readyState !== 1) return;
    const { commandId } = frame.payload as { commandId: string };
    const executable = FakeSocket.issued.has(commandId);
    const reason = executable ? "" : "unknown command: the Brain never issued it for this creator";
    this.push({ type: "command_verdict", payload: { commandId, executable, reason } });
  }

  /** `command_check` frames the Agent sent. */
  checks(): SentFrame[] {
    return this.frames().filter((f) => f.type === "command_check");
  }

  close(code?: number): void {
    if (this.readyState === 3) return;
    this.closeCode = code;
    this.readyState = 3;
    queueMicrotask(() => this.dispatchEvent(new Event("close")));
  }

  // ---- server side ----

  frames(): SentFrame[] {
    return this.sent.map((text) => JSON.parse(text) as SentFrame);
  }

  /** Frames other than keepalives, hellos and command checks. */
  data(): SentFrame[] {
    return this.frames().filter((f) => !QUESTIONS.has(f.type));
  }

  hellos(): SentFrame[] {
    return this.frames().filter((f) => f.type === "sync_hello");
  }

  accept(userId = "300000", maxFrameBytes = 1 << 20, extra: Record<string, unknown> = {}): void {
    this.readyState = 1;
    this.dispatchEvent(new Event("open"));
    this.push({
      type: "connection_ack",
      payload: {
        version: "test",
        connectionId: `c-${FakeSocket.instances.length}`,
        role: "agent",
        userIds: [userId],
        serverTime: new Date().toISOString(),
        maxFrameBytes,
        keepaliveIntervalS: 20,
        ...extra,
      },
    });
  }

  push(frame: unknown): void {
    const sent = frame as SentFrame;
    if (sent.type === "command_to_execute") FakeSocket.issued.add(String(sent.payload?.commandId));
    this.dispatchEvent(new MessageEvent("message", { data: JSON.stringify(frame) }));
  }

  ack(ref: string | undefined, frameType = "new_raw_message"): void {
    const part = this.frames().find((f) => f.type === "cache_update" && f.ref === ref)?.payload;
    if (part?.installId) {
      // As the gateway: the record is written before the last part's receipt goes out.
      const got = this.partsAcked.get(part.snapshot_id) ?? new Set<number>();
      got.add(part.part);
      this.partsAcked.set(part.snapshot_id, got);
      if (got.size === part.parts) FakeSocket.records.set(part.installId, part.snapshot_id);
    }
    this.push({ type: "ingest_ack", payload: { ref: ref ?? null, frameType, streamSeq: 1, duplicate: false } });
  }

  fail(ref: string | undefined, code: string): void {
    this.push({ type: "system_error", payload: { code, message: code, ref: ref ?? null } });
  }

  /** Answer every non-keepalive frame with an ingest_ack, as the gateway does. */
  autoAck(): void {
    this.onSend = (frame) => {
      if (!QUESTIONS.has(frame.type)) queueMicrotask(() => this.ack(frame.ref, frame.type));
    };
  }

  serverClose(): void {
    this.close(1012);
  }
}

/** Resolve once `probe` returns true (polling), or fail after `ms`. */
export async function until(probe: () => boolean, ms = 3000, what = "condition"): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
