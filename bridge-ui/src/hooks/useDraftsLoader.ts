/**
 * Loads the current reply drafts (`GET …/drafts`) after every snapshot; live `reply_suggestion`
 * frames keep them current in between (see the store).
 */
import { useEffect } from "react";
import { api } from "../services/api";
import { useChatStore } from "../store/useChatStore";

export function useDraftsLoader(userId: string | null): void {
  const generation = useChatStore((s) => s.syncGeneration);
  useEffect(() => {
    if (userId === null || generation === 0) return;
    const abort = new AbortController();
    api.drafts(userId, abort.signal).then(
      (drafts) => {
        if (!abort.signal.aborted) useChatStore.getState().setDrafts(drafts);
      },
      () => undefined, // drafts are a help, not a requirement: the inbox works without them
    );
    return () => abort.abort();
  }, [userId, generation]);
}
