/**
 * The view in the URL hash (`#/inbox/123`, `#/analytics`, …). A hash survives reloads, needs no
 * server routes (the gateway only serves files) and never carries the token.
 */
import { useSyncExternalStore } from "react";

export type ViewName = "inbox" | "analytics" | "fans" | "graph" | "settings";

export interface Route {
  view: ViewName;
  /** The open chat in the inbox. */
  chatId: string | null;
}

const VIEWS: readonly ViewName[] = ["inbox", "analytics", "fans", "graph", "settings"];

export function parseRoute(hash: string): Route {
  const [name, chatId] = hash.replace(/^#\/?/, "").split("/");
  const view = VIEWS.find((v) => v === name) ?? "inbox";
  return { view, chatId: view === "inbox" && chatId ? decodeURIComponent(chatId) : null };
}

export function routeHref(view: ViewName, chatId?: string | null): string {
  return chatId ? `#/${view}/${encodeURIComponent(chatId)}` : `#/${view}`;
}

export function navigate(view: ViewName, chatId?: string | null): void {
  window.location.hash = routeHref(view, chatId);
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
}

export function useHashRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parseRoute(hash);
}
