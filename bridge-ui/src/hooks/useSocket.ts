/**
 * The Bridge socket (`/ws/bridge`), on react-use-websocket: reconnects forever with exponential
 * backoff and jitter, routes every frame into the store, and reports its phase to the status bar.
 * Frames never go through React state (`filter` returns false): they go to the store in batches.
 */
import { useCallback, useEffect, useMemo, useRef } from "react";
import { ReadyState } from "react-use-websocket";
// The named export: the package is CommonJS, and Vite 8's Node-style interop makes its default
// import the whole module object in an ESM ("type": "module") package like this one.
import { useWebSocket } from "react-use-websocket/dist/lib/use-websocket";
import { useChatStore } from "../store/useChatStore";
import type { IncomingWssMessage } from "../wire";
import { reconnectDelay } from "./backoff";
import { FrameBatcher } from "./frameBatcher";
import { parseFrame } from "./frameParser";
import { markFullSync } from "./perfMarks";

export interface SocketLink {
  /** Send a frame now; false when the socket is not open (nothing is queued). */
  send(frame: IncomingWssMessage): boolean;
}

export function useSocket(url: string | null): SocketLink {
  const { applyFrames, setSocket, setReadyState } = useChatStore.getState();
  const batcher = useMemo(() => new FrameBatcher(applyFrames), [applyFrames]);
  useEffect(() => () => batcher.clear(), [batcher, url]);
  const { sendMessage, readyState } = useWebSocket(
    url,
    {
      share: false,
      filter: () => false,
      shouldReconnect: () => true,
      reconnectAttempts: Number.MAX_SAFE_INTEGER,
      reconnectInterval: (attempt) => {
        const delay = reconnectDelay(attempt);
        setSocket({ phase: "reconnecting", attempt: attempt + 1, nextRetryAt: Date.now() + delay });
        return delay;
      },
      onOpen: () =>
        setSocket({ phase: "open", attempt: 0, nextRetryAt: null, lastOpenAt: Date.now() }),
      onClose: (event) => setSocket({ lastCloseAt: Date.now(), lastCloseCode: event.code }),
      onMessage: (event) => {
        const receivedAt = performance.now();
        const frame = parseFrame(event.data);
        if (frame === null) return;
        if (frame.type === "full_sync_response") {
          const { conversations, totalConversations } = frame.payload;
          markFullSync(receivedAt, conversations.length, totalConversations);
        }
        batcher.push(frame);
      },
    },
    url !== null,
  );

  useEffect(() => {
    setReadyState(readyState);
  }, [readyState, setReadyState]);

  useEffect(() => {
    if (url === null) setSocket({ phase: "closed", nextRetryAt: null });
    else setSocket({ phase: "connecting", attempt: 0, nextRetryAt: null });
  }, [url, setSocket]);

  const open = useRef(false);
  open.current = readyState === ReadyState.OPEN;
  const send = useCallback(
    (frame: IncomingWssMessage) => {
      if (!open.current) return false;
      sendMessage(JSON.stringify(frame), false);
      return true;
    },
    [sendMessage],
  );
  return { send };
}
