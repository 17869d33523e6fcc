/**
 * A clock for the backfill that only moves when the test says so. `advanceToNext()` jumps to
 * the earliest pending sleep (ignoring ones further than `horizonMs` away, e.g. step
 * timeouts), `run(until)` alternates real pauses (so IndexedDB work completes) with jumps.
 */
import type { Clock } from "../../src/background/backfill/clock";

interface Sleeper {
  at: number;
  resolve: () => void;
}

export class FakeClock implements Clock {
  private sleepers: Sleeper[] = [];

  /** When time may jump (see `run`). */
  quiet: () => boolean = () => true;

  constructor(public t = 1_700_000_000_000, private readonly horizonMs = 24 * 3600_000) {}

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const sleeper: Sleeper = { at: this.t + Math.max(0, ms), resolve };
      this.sleepers.push(sleeper);
      signal?.addEventListener("abort", () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        resolve();
      });
    });
  }

  advance(ms: number): void {
    this.t += ms;
    this.fire();
  }

  /** Jump to the earliest sleep within the horizon; false when there is none. */
  advanceToNext(): boolean {
    const next = this.sleepers.filter((s) => s.at <= this.t + this.horizonMs).sort((a, b) => a.at - b.at)[0];
    if (!next) return false;
    this.t = Math.max(this.t, next.at);
    this.fire();
    return true;
  }

  /** Real pauses and clock jumps until `until()` holds. The clock only jumps while
   * `quiet()` says nothing is under way (e.g. the backfill is waiting), so time does not pass
   * in the middle of a step. */
  async run(until: () => boolean, what = "condition", maxTurns = 5_000): Promise<void> {
    for (let turn = 0; turn < maxTurns; turn += 1) {
      await new Promise((r) => setTimeout(r, 1));
      if (until()) return;
      if (this.quiet()) this.advanceToNext();
    }
    throw new Error(`fake clock: timed out waiting for ${what}`);
  }

  private fire(): void {
    const due = this.sleepers.filter((s) => s.at <= this.t);
    this.sleepers = this.sleepers.filter((s) => s.at > this.t);
    for (const sleeper of due) sleeper.resolve();
  }
}
