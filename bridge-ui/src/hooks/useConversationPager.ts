/**
 * A `full_sync_response` carries at most the 2,000 highest-priority conversations
 * (`totalConversations` says how many exist). This loads all of them in the background:
 * `GET …/chats?sort=priority&limit=500&offset=…`, a few pages at a time, merged into the store
 * for the snapshot generation they belong to. A newer snapshot or a creator switch cancels it.
 */
import { useEffect } from "react";
import { api, ApiError } from "../services/api";
import { useChatStore } from "../store/useChatStore";
import { markAllLoaded } from "./perfMarks";
import { errorMessage } from "../services/errors";

export const PAGE_SIZE = 500;
const PARALLEL = 3;
const TRIES = 3;

export function useConversationPager(userId: string | null): void {
  const generation = useChatStore((s) => s.syncGeneration);
  const needsMore = useChatStore((s) => s.syncGeneration > 0 && !s.loading.done);

  useEffect(() => {
    if (userId === null || !needsMore) return;
    const abort = new AbortController();
    void loadAll(userId, generation, abort.signal);
    return () => abort.abort();
    // Runs once per snapshot generation; `needsMore` only turns it on.
  }, [userId, generation]);
}

async function loadAll(userId: string, generation: number, signal: AbortSignal): Promise<void> {
  const { mergeChatPage, setLoading } = useChatStore.getState();
  try {
    const first = await page(userId, 0, signal);
    mergeChatPage(generation, first.items, first.total);
    const offsets: number[] = [];
    for (let offset = PAGE_SIZE; offset < first.total; offset += PAGE_SIZE) offsets.push(offset);
    const worker = async () => {
      for (let offset = offsets.shift(); offset !== undefined; offset = offsets.shift()) {
        const next = await page(userId, offset, signal);
        mergeChatPage(generation, next.items, next.total);
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    if (signal.aborted) return;
    setLoading(generation, { done: true, error: null });
    markAllLoaded(useChatStore.getState().conversations.size);
  } catch (error) {
    if (signal.aborted) return;
    const message = errorMessage(error);
    setLoading(generation, { error: `Could not load every conversation: ${message}` });
  }
}

async function page(userId: string, offset: number, signal: AbortSignal) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await api.chats(userId, { sort: "priority", limit: PAGE_SIZE, offset }, signal);
    } catch (error) {
      const retryable = error instanceof ApiError && (error.status === 0 || error.status >= 500);
      if (signal.aborted || !retryable || attempt >= TRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
}
