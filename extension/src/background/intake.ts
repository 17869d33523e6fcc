/**
 * The capture intake: captures relayed by content scripts, stored strictly in arrival order.
 *
 * It learns which account the tab is logged into from `/users/me` and files captures under
 * that account's database (the token's creator until then). Captures that arrive before any
 * creator is known wait in memory (bounded) and are stored once one is.
 */
import type { CaptureMessage } from "../shared/protocol";
import type { StorageArea } from "../shared/settings";
import { applyEffects, interpret } from "./capture";
import { normalizeId, type Databases } from "./db";
import type { Outbox } from "./outbox";

const MAX_BUFFERED = 2_000;

export interface IntakeDeps {
  dbs: Databases;
  outbox: Outbox;
  storage: StorageArea;
  log: (event: string, fields?: Record<string, unknown>) => void;
  now: () => number;
  paused: () => boolean;
  /** The token's creator, once a `connection_ack` named it. */
  tokenUser: () => string | null;
}

export class CaptureIntake {
  /** The account the OnlyFans tab is logged into (from `/users/me`). */
  account: string | null = null;
  lastCaptureAt: number | null = null;
  private queue: Promise<void> = Promise.resolve();
  private buffered: CaptureMessage[] = [];

  constructor(private readonly deps: IntakeDeps) {}

  /** The database captures go to. */
  get target(): string | null {
    return this.account ?? this.deps.tokenUser();
  }

  push(capture: CaptureMessage): void {
    if (this.deps.paused()) return;
    this.lastCaptureAt = this.deps.now();
    this.enqueue(capture);
  }

  /** Resolves when everything pushed so far is stored. */
  settled(): Promise<void> {
    return this.queue;
  }

  /** A creator became known: store what waited for one. */
  flushBuffered(): void {
    const waiting = this.buffered;
    this.buffered = [];
    for (const capture of waiting) this.enqueue(capture);
  }

  private enqueue(capture: CaptureMessage): void {
    this.queue = this.queue
      .then(() => this.store(capture))
      .catch((error: unknown) => this.deps.log("capture_failed", { error: String(error) }));
  }

  private async store(capture: CaptureMessage): Promise<void> {
    if (this.deps.paused()) return;
    const probe = interpret(capture, null);
    if (probe.me) await this.setAccount(String(normalizeId(probe.me.id)));
    const target = this.target;
    if (!target) {
      if (this.buffered.length < MAX_BUFFERED) this.buffered.push(capture);
      return;
    }
    // Only a WebSocket message needs the creator's id (to tell a fan's message from our own).
    const effects = capture.event === "websocket" ? interpret(capture, normalizeId(target)) : probe;
    const db = await this.deps.dbs.get(target);
    const result = await applyEffects(db, effects, capture.event, this.deps.now());
    if (result.queued > 0) this.deps.outbox.notify(target);
  }

  private async setAccount(accountId: string): Promise<void> {
    if (accountId === this.account) return;
    if (this.account) this.deps.log("account_changed");
    this.account = accountId;
    await this.deps.storage.set({ creatorId: accountId });
    this.flushBuffered();
  }
}
