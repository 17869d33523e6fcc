import type { StorageArea } from "../../src/shared/settings";

/** `chrome.storage.local` in memory. */
export class MemoryStorage implements StorageArea {
  constructor(public items: Record<string, unknown> = {}) {}
  async get(keys?: string | string[] | null): Promise<Record<string, unknown>> {
    if (!keys) return { ...this.items };
    const wanted = Array.isArray(keys) ? keys : [keys];
    return Object.fromEntries(wanted.filter((k) => k in this.items).map((k) => [k, this.items[k]]));
  }
  async set(items: Record<string, unknown>): Promise<void> {
    Object.assign(this.items, items);
  }
}
