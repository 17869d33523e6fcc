/**
 * Which OnlyFans requests are chat traffic. The page hook captures only these; the background
 * uses the same table to read the chat or message id out of a captured URL.
 */

export type Endpoint =
  | "me"
  | "chat_list"
  | "messages"
  | "users_list"
  | "mark_as_read"
  | "message_delete"
  | "message_like";

export interface EndpointMatch {
  endpoint: Endpoint;
  /** The fan's id for `messages` and `mark_as_read`, the message id for `message_*`. */
  id: string | null;
}

interface Rule {
  endpoint: Endpoint;
  methods: ReadonlySet<string>;
  path: RegExp;
}

const API = "/api2/v2";
const RULES: readonly Rule[] = [
  { endpoint: "me", methods: new Set(["GET"]), path: /^\/users\/me\/?$/ },
  { endpoint: "chat_list", methods: new Set(["GET"]), path: /^\/chats\/?$/ },
  { endpoint: "messages", methods: new Set(["GET", "POST"]), path: /^\/chats\/(\d+)\/messages\/?$/ },
  { endpoint: "users_list", methods: new Set(["GET"]), path: /^\/users\/list\/?$/ },
  {
    endpoint: "mark_as_read",
    methods: new Set(["POST", "DELETE"]),
    path: /^\/chats\/(\d+)\/mark-as-read\/?$/,
  },
  { endpoint: "message_delete", methods: new Set(["DELETE"]), path: /^\/messages\/(\d+)\/?$/ },
  {
    endpoint: "message_like",
    methods: new Set(["POST", "DELETE"]),
    path: /^\/messages\/(\d+)\/like\/?$/,
  },
];

/** The chat endpoint a request goes to, or null when it is not chat traffic. */
export function matchEndpoint(method: string, url: string, base?: string): EndpointMatch | null {
  let pathname: string;
  try {
    pathname = new URL(url, base).pathname;
  } catch {
    return null;
  }
  if (!pathname.startsWith(`${API}/`)) return null;
  const rest = pathname.slice(API.length);
  const verb = method.toUpperCase();
  for (const rule of RULES) {
    if (!rule.methods.has(verb)) continue;
    const found = rule.path.exec(rest);
    if (found) return { endpoint: rule.endpoint, id: found[1] ?? null };
  }
  return null;
}

/** The page route of one chat, as the OnlyFans app spells it (trailing slash included). */
export function chatRoute(chatId: string | number): string {
  return `/my/chats/chat/${String(chatId)}/`;
}

/** Whether `url` is the page's own origin: the app calls its API there, and a request a page
 * script sends anywhere else (a server answering with a made-up tip) is not OnlyFans' answer. */
export function isPageOrigin(url: string, pageHref: string): boolean {
  try {
    return new URL(url, pageHref).origin === new URL(pageHref).origin;
  } catch {
    return false;
  }
}

/** Whether a socket URL is on the page's host or one of its subdomains (`ws2.onlyfans.com`). */
export function isPageSite(url: string, pageHost: string): boolean {
  try {
    const host = new URL(url).hostname;
    return pageHost !== "" && (host === pageHost || host.endsWith(`.${pageHost}`));
  } catch {
    return false;
  }
}
