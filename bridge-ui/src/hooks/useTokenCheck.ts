/**
 * A socket that keeps failing may be a refused token (the gateway answers the handshake with
 * 403, which a browser only sees as a closed socket). After a few failed attempts, ask
 * `whoami`: a 401 means the token expired or was revoked, and the analyst must log in again.
 */
import { useEffect } from "react";
import { api, ApiError } from "../services/api";
import { useChatStore } from "../store/useChatStore";

const CHECK_EVERY = 3;

export function useTokenCheck(onRefused: (reason: string) => void): void {
  const attempt = useChatStore((s) => s.socket.attempt);
  useEffect(() => {
    if (attempt === 0 || attempt % CHECK_EVERY !== 0) return;
    let cancelled = false;
    api.whoami().then(
      () => undefined,
      (error: unknown) => {
        if (!cancelled && error instanceof ApiError && error.status === 401) {
          onRefused("Your token expired or was revoked: log in again.");
        }
      },
    );
    return () => {
      cancelled = true;
    };
  }, [attempt, onRefused]);
}
