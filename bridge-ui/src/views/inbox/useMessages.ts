/**
 * A chat's messages over REST (`GET …/chats/{chatId}/messages`, newest first, `before` cursor):
 * the newest page on open and whenever the conversation changes (a live `append_message`),
 * older pages on demand. Held oldest first, without duplicates.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "../../services/api";
import { errorMessage } from "../../services/errors";
import type { ChatMessage } from "../../wire";

interface MessagesState {
  items: ChatMessage[];
  /** Cursor for the page before the oldest held message; null when it is the first. */
  olderCursor: string | null;
  status: "loading" | "ready" | "error";
  error: string | null;
  loadingOlder: boolean;
}

function merge(held: ChatMessage[], page: ChatMessage[]): ChatMessage[] {
  const byId = new Map(held.map((m) => [m.id, m]));
  for (const m of page) byId.set(m.id, m);
  return [...byId.values()].sort(
    (a, b) => Date.parse(a.at) - Date.parse(b.at) || a.id.localeCompare(b.id),
  );
}

export function useMessages(userId: string, chatId: string, version: string) {
  const [state, setState] = useState<MessagesState>({
    items: [],
    olderCursor: null,
    status: "loading",
    error: null,
    loadingOlder: false,
  });
  const first = useRef(true);

  useEffect(() => {
    const abort = new AbortController();
    api.messages(userId, chatId, null, abort.signal).then(
      (page) => {
        if (abort.signal.aborted) return;
        setState((s) => ({
          ...s,
          items: merge(s.items, page.items),
          // Only the first load sets where older pages start; a refresh adds newer messages.
          olderCursor: first.current ? page.nextCursor : s.olderCursor,
          status: "ready",
          error: null,
        }));
      },
      (error: unknown) => {
        if (abort.signal.aborted) return;
        setState((s) => ({ ...s, status: "error", error: errorMessage(error) }));
      },
    );
    return () => {
      abort.abort();
    };
  }, [userId, chatId, version]);

  useEffect(() => {
    if (state.status === "ready") first.current = false;
  }, [state.status]);

  const loadOlder = useCallback(() => {
    const cursor = state.olderCursor;
    if (!cursor || state.loadingOlder) return;
    setState((s) => ({ ...s, loadingOlder: true }));
    api.messages(userId, chatId, cursor).then(
      (page) =>
        setState((s) => ({
          ...s,
          items: merge(s.items, page.items),
          olderCursor: page.nextCursor,
          loadingOlder: false,
        })),
      (error: unknown) =>
        setState((s) => ({ ...s, loadingOlder: false, error: errorMessage(error) })),
    );
  }, [userId, chatId, state.olderCursor, state.loadingOlder]);

  return { ...state, loadOlder };
}
