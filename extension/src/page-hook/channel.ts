/**
 * The hook's end of the private channel (`shared/page-channel.ts`): captures and results go
 * out on the port the content script handed over at `document_start`, commands and backfill
 * steps come in on it. What is posted before the port arrives waits (bounded).
 *
 * Page scripts run after the hand-over, so they never hold the port; the port's own
 * `postMessage` and `Reflect.apply` are read before any page script can replace them, so a
 * script patching `MessagePort.prototype` later cannot get at the port through the hook either.
 */
import type { PortLike } from "../shared/page-channel";

const apply = Reflect.apply;
const MAX_WAITING = 1_000;

export class HookChannel {
  private send: ((message: unknown) => void) | null = null;
  private waiting: unknown[] = [];

  constructor(private readonly receive: (data: unknown) => void) {}

  get connected(): boolean {
    return this.send !== null;
  }

  attach(port: PortLike): void {
    const post = port.postMessage;
    this.send = (message) => apply(post, port, [message]);
    port.onmessage = (event: MessageEvent) => this.receive(event.data);
    for (const message of this.waiting.splice(0)) this.send(message);
  }

  post(message: unknown): void {
    if (this.send) this.send(message);
    else if (this.waiting.length < MAX_WAITING) this.waiting.push(message);
  }
}
