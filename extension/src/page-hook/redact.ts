/**
 * Removes credentials from anything the hook is about to post, before it leaves the page.
 *
 * Headers and cookies are never read in the first place. What remains are secrets inside JSON
 * bodies and URLs: `wsAuthToken` (/users/me), the WebSocket connect frame's `token`, CloudFront
 * signed-URL parameters (`Policy`, `Signature`, `Key-Pair-Id`, also as `files.drm.signature`
 * objects) and the per-request `sign` / `time` / `token` query parameters. `redact` returns a
 * fresh copy and never mutates its input (the page may hold the same object).
 */

/** Object keys whose values are credentials, compared lower-case. */
const SECRET_KEYS: ReadonlySet<string> = new Set([
  "wsauthtoken",
  "token",
  "authtoken",
  "accesstoken",
  "refreshtoken",
  "csrf",
  "sess",
  "auth_id",
  "app-token",
  "x-bc",
  "x-hash",
  "bctokensha",
  "sign",
  "cookie",
  "signature",
  "policy",
  "key-pair-id",
  "cloudfront-policy",
  "cloudfront-signature",
  "cloudfront-key-pair-id",
]);
const SECRET_KEY_PREFIXES = ["auth_uid_"];

/** Query parameters removed from every URL-looking string, compared case-insensitively. */
const SECRET_PARAMS = "policy|signature|key-pair-id|token|sign|time|wsauthtoken";
// A parameter starts after `?`, `&` or an HTML-escaped `&amp;` (URLs inside message HTML).
const PARAM_RE = new RegExp(`([?&]|&amp;)(?:${SECRET_PARAMS})=[^&#\\s"'<>]*`, "gi");
const MAX_DEPTH = 64;

export function isSecretKey(key: string): boolean {
  const lower = key.toLowerCase();
  return SECRET_KEYS.has(lower) || SECRET_KEY_PREFIXES.some((p) => lower.startsWith(p));
}

/** `text` with every secret query parameter removed (separators tidied). */
export function redactUrlParams(text: string): string {
  if (!text.includes("=")) return text;
  let changed = false;
  const stripped = text.replace(PARAM_RE, (_match, separator: string) => {
    changed = true;
    return separator === "?" ? "?" : "";
  });
  if (!changed) return text;
  return stripped
    .replace(/\?(?:&amp;|&)+/g, "?")
    .replace(/\?(?=[#\s"'<>]|$)/g, "");
}

/** A deep copy of `value` without credentials; unknown shapes pass through unchanged. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redactUrlParams(value);
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return null;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (isSecretKey(key)) continue;
    out[key] = redact(item, depth + 1);
  }
  return out;
}
