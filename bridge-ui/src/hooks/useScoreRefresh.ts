/**
 * Enrichment re-scores chats (priority, segment, churn tags, sentiment) without an
 * `append_message`: the graph only reports it as an `analytics_update`. So after one arrives,
 * the top of the inbox (the 500 highest-priority conversations) is fetched again and merged,
 * at most every `MIN_INTERVAL_MS`. Lower rows refresh with the next snapshot.
 */
import { useEffect, useRef } from "react";
import { api } from "../services/api";
import { useChatStore } from "../store/useChatStore";
import { PAGE_SIZE } from "./useConversationPager";

const MIN_INTERVAL_MS = 20_000;

export function useScoreRefresh(userId: string): void {
  // Only analytics_update frames count: a snapshot's analytics come with fresh conversations.
  const analyticsAt = useChatStore((s) => (s.analyticsAt === s.syncedAt ? null : s.analyticsAt));
  const lastRun = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    if (analyticsAt === null || timer.current !== null) return;
    const wait = Math.max(0, lastRun.current + MIN_INTERVAL_MS - Date.now());
    timer.current = setTimeout(() => {
      timer.current = null;
      lastRun.current = Date.now();
      const generation = useChatStore.getState().syncGeneration;
      api.chats(userId, { sort: "priority", limit: PAGE_SIZE, offset: 0 }).then(
        (page) => useChatStore.getState().mergeChatPage(generation, page.items, page.total),
        () => undefined, // the next update tries again
      );
    }, wait);
  }, [userId, analyticsAt]);

  useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current);
      timer.current = null;
    },
    [userId],
  );
}
