/**
 * Who is logged in, kept in the browser: the analyst token (sessionStorage: gone with the tab),
 * the chosen creator, and the extension id override (localStorage: a per-browser setting).
 */
const TOKEN_KEY = "ofca.token";
const USER_KEY = "ofca.user";
const EXTENSION_KEY = "ofca.extensionId";

/**
 * Move a `?token=` from the address bar (the link `ofca up` prints) into sessionStorage and take
 * it out of the URL and the history, so it is not bookmarked, shared or sent as a referrer.
 */
export function adoptTokenFromUrl(): void {
  const url = new URL(window.location.href);
  const token = url.searchParams.get("token");
  if (token === null) return;
  if (token.trim()) sessionStorage.setItem(TOKEN_KEY, token.trim());
  url.searchParams.delete("token");
  window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
}

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token.trim());
}

export function storedUser(): string | null {
  return sessionStorage.getItem(USER_KEY);
}

export function storeUser(userId: string | null): void {
  if (userId === null) sessionStorage.removeItem(USER_KEY);
  else sessionStorage.setItem(USER_KEY, userId);
}

export function forgetSession(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(USER_KEY);
}

/** The published id of OFCA's extension, fixed by the `key` in extension/manifest.json. */
export const OFCA_EXTENSION_ID = "ajigponlcdgmgdaljhhlillldadmmoik";

/** The Agent extension's id: the Settings override, else the build's `VITE_EXTENSION_ID`,
 * else the published id. */
export function extensionId(): string {
  return localStorage.getItem(EXTENSION_KEY) || builtInExtensionId();
}

export function builtInExtensionId(): string {
  return import.meta.env.VITE_EXTENSION_ID || OFCA_EXTENSION_ID;
}

export function storeExtensionId(id: string): void {
  if (id.trim()) localStorage.setItem(EXTENSION_KEY, id.trim());
  else localStorage.removeItem(EXTENSION_KEY);
}

/** `ws(s)://<this host>/ws/bridge?token=…&user=…`: the gateway that served this page. */
export function bridgeSocketUrl(token: string, userId: string): string {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  const query = new URLSearchParams({ token, user: userId });
  return `${scheme}://${window.location.host}/ws/bridge?${query.toString()}`;
}
