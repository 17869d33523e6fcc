/**
 * The dashboard may ask for a history backfill (`request_backfill`), but never start one: the
 * request is kept in `chrome.storage.local` (`backfillRequest`), a badge on the action icon
 * says there is one, and the popup offers Start / Dismiss. Consent stays with the creator.
 */
import { isObject } from "../../shared/json";
import type { StorageArea } from "../../shared/settings";

export interface BackfillRequest {
  at: number;
  origin: string;
  since: number | null;
}

const KEY = "backfillRequest";
export const REQUEST_BADGE = "?";

export class BackfillRequests {
  constructor(
    private readonly storage: StorageArea,
    private readonly badge: (text: string) => void,
  ) {}

  async current(): Promise<BackfillRequest | null> {
    const raw = (await this.storage.get(KEY))[KEY];
    if (!isObject(raw) || typeof raw.at !== "number" || typeof raw.origin !== "string") return null;
    return { at: raw.at, origin: raw.origin, since: typeof raw.since === "number" ? raw.since : null };
  }

  async record(request: BackfillRequest): Promise<void> {
    await this.storage.set({ [KEY]: request });
    this.badge(REQUEST_BADGE);
  }

  async clear(): Promise<void> {
    await this.storage.set({ [KEY]: null });
    this.badge("");
  }

  /** The badge after a restart (Chrome forgets it with the worker). */
  async restoreBadge(): Promise<void> {
    this.badge((await this.current()) ? REQUEST_BADGE : "");
  }
}
