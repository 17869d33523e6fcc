/**
 * Performance marks the end-to-end test reads (`performance.getEntriesByName`):
 * `ofca:full-sync` (a full_sync_response arrived), `ofca:inbox-painted` (the inbox rows of that
 * snapshot were painted), `ofca:all-loaded` (every conversation is loaded), and the measures
 * `ofca:full-sync-to-paint` and `ofca:full-sync-to-all-loaded` between them.
 */
export const MARK_FULL_SYNC = "ofca:full-sync";
export const MARK_INBOX_PAINTED = "ofca:inbox-painted";
export const MARK_ALL_LOADED = "ofca:all-loaded";

export function markFullSync(receivedAt: number, conversations: number, total: number): void {
  performance.mark(MARK_FULL_SYNC, { startTime: receivedAt, detail: { conversations, total } });
}

/** Mark `name` after the next paint (a task queued from requestAnimationFrame runs after it). */
export function markAfterPaint(name: string, measure: string, detail?: unknown): void {
  requestAnimationFrame(() => {
    setTimeout(() => {
      performance.mark(name, { detail });
      if (performance.getEntriesByName(MARK_FULL_SYNC).length > 0) {
        performance.measure(measure, MARK_FULL_SYNC, name);
      }
    }, 0);
  });
}

export function markAllLoaded(conversations: number): void {
  performance.mark(MARK_ALL_LOADED, { detail: { conversations } });
  if (performance.getEntriesByName(MARK_FULL_SYNC).length > 0) {
    performance.measure("ofca:full-sync-to-all-loaded", MARK_FULL_SYNC, MARK_ALL_LOADED);
  }
}
