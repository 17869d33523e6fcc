/**
 * Where the wrappers report what they captured: keep only the allowed fields (`redact.ts`), post
 * to the content script, and tell in-page listeners (the command executor watches for its own
 * send's response, the backfill for its step's).
 */
import {
  FORWARDER,
  type CaptureMessage,
  type CommandOutcome,
  type ForwarderMessage,
  type HttpCapture,
  type WsCapture,
} from "../shared/protocol";
import type { BackfillResult } from "../shared/backfill-protocol";
import { redactHttp, redactWs } from "./redact";

export type Post = (message: ForwarderMessage) => void;
export type CaptureListener = (message: CaptureMessage) => void;

export class CaptureHub {
  private readonly listeners = new Set<CaptureListener>();

  constructor(private readonly post: Post) {}

  http(event: "fetch" | "xhr", data: HttpCapture): void {
    this.emit({ source: FORWARDER, event, data: redactHttp(data) });
  }

  websocket(data: WsCapture): void {
    this.emit({ source: FORWARDER, event: "websocket", data: redactWs(data) });
  }

  commandResult(outcome: CommandOutcome): void {
    this.safePost({ source: FORWARDER, event: "command_result", data: outcome });
  }

  backfillResult(result: BackfillResult): void {
    this.safePost({ source: FORWARDER, event: "backfill_result", data: result });
  }

  /** Listen to every capture (already redacted); returns the unsubscribe function. */
  subscribe(listener: CaptureListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(message: CaptureMessage): void {
    this.safePost(message);
    for (const listener of this.listeners) {
      try {
        listener(message);
      } catch {
        // a listener's bug must not reach the page
      }
    }
  }

  private safePost(message: ForwarderMessage): void {
    try {
      this.post(message);
    } catch {
      // the page must never see our failure
    }
  }
}

/** `text` parsed as JSON, or null when it is not JSON. */
export function parseJson(text: unknown): unknown {
  if (typeof text !== "string" || text.length === 0) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
