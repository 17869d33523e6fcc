/**
 * Load something for a view: `{ status, data, error, reload }`. The previous request is aborted
 * when the inputs change or the view goes away; `data` stays while a reload runs, so a refresh
 * does not blank the screen.
 */
import { type DependencyList, useCallback, useEffect, useRef, useState } from "react";
import { errorMessage } from "../services/errors";

export type AsyncState<T> =
  | { status: "loading"; data: T | null; error: null }
  | { status: "ready"; data: T; error: null }
  | { status: "error"; data: T | null; error: string };

export function useAsync<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: DependencyList,
): AsyncState<T> & { reload: () => void } {
  const [state, setState] = useState<AsyncState<T>>({ status: "loading", data: null, error: null });
  const [nonce, setNonce] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const abort = new AbortController();
    setState((s) => ({ status: "loading", data: s.data, error: null }));
    loadRef.current(abort.signal).then(
      (data) => {
        if (!abort.signal.aborted) setState({ status: "ready", data, error: null });
      },
      (error: unknown) => {
        if (abort.signal.aborted) return;
        const message = errorMessage(error);
        setState((s) => ({ status: "error", data: s.data, error: message }));
      },
    );
    return () => abort.abort();
  }, [...deps, nonce]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { ...state, reload };
}
