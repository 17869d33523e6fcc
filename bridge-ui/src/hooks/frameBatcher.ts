/**
 * Collects socket frames and hands them to the store in batches: at most one store update per
 * `windowMs`, so a burst of thousands of `append_message` frames costs a few renders, not
 * thousands. A `full_sync_response` is applied at once (with what was queued before it), since
 * the inbox should paint a snapshot as soon as it arrives.
 */
import type { OutgoingWssMessage } from "../wire";

export class FrameBatcher {
  private queue: OutgoingWssMessage[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly apply: (frames: OutgoingWssMessage[]) => void,
    private readonly windowMs = 50,
  ) {}

  push(frame: OutgoingWssMessage): void {
    this.queue.push(frame);
    if (frame.type === "full_sync_response") {
      this.flush();
    } else {
      this.timer ??= setTimeout(() => this.flush(), this.windowMs);
    }
  }

  flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.queue.length === 0) return;
    const frames = this.queue;
    this.queue = [];
    this.apply(frames);
  }

  /** Drop what is queued (the socket's creator changed). */
  clear(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
  }
}
