/**
 * Conversations as the dashboard holds them: a map by chat id, updated without mutation, and
 * the orders the inbox offers. Pure functions, shared by the store and the views.
 */
import type { ChatSort, ConversationNode } from "../wire";

export type ConversationMap = ReadonlyMap<string, ConversationNode>;

/** Epoch ms of the conversation's last message (0 when it has none). */
export function lastMessageMs(node: ConversationNode): number {
  return node.lastMessage ? Date.parse(node.lastMessage.at) : 0;
}

/** Epoch ms since when the fan waits for an answer, or null when nobody waits. */
export function waitingSinceMs(node: ConversationNode): number | null {
  return node.awaitingReplySince ? Date.parse(node.awaitingReplySince) : null;
}

export function conversationMap(nodes: readonly ConversationNode[]): ConversationMap {
  return new Map(nodes.map((node) => [node.chatId, node]));
}

/**
 * `map` with a REST page merged in. A page may be older than what the socket pushed since it
 * was requested, so a node only replaces one whose last message is not newer than its own.
 */
export function mergeConversations(
  map: ConversationMap,
  nodes: readonly ConversationNode[],
): ConversationMap {
  const next = new Map(map);
  for (const node of nodes) {
    const known = next.get(node.chatId);
    if (known === undefined || lastMessageMs(known) <= lastMessageMs(node)) {
      next.set(node.chatId, node);
    }
  }
  return next;
}

type Compare = (a: ConversationNode, b: ConversationNode) => number;

const byPriority: Compare = (a, b) =>
  (b.priority ?? 0) - (a.priority ?? 0) || lastMessageMs(b) - lastMessageMs(a);

// Longest wait first; chats nobody waits on go last, most recent first.
const byWaiting: Compare = (a, b) => {
  const wa = waitingSinceMs(a);
  const wb = waitingSinceMs(b);
  if (wa !== null && wb !== null) return wa - wb || byPriority(a, b);
  if (wa !== null) return -1;
  if (wb !== null) return 1;
  return lastMessageMs(b) - lastMessageMs(a);
};

const byRevenue: Compare = (a, b) =>
  (b.revenue?.total ?? 0) - (a.revenue?.total ?? 0) || byPriority(a, b);

const ORDERS: Record<ChatSort, Compare> = {
  priority: byPriority,
  waiting: byWaiting,
  revenue: byRevenue,
};

/** A new array of the nodes in the inbox order `sort`. */
export function sortConversations(
  nodes: Iterable<ConversationNode>,
  sort: ChatSort,
): ConversationNode[] {
  return Array.from(nodes).sort(ORDERS[sort]);
}

/** Case-insensitive match on the fan's name, username or id. */
export function matchesSearch(node: ConversationNode, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  return (
    node.chatId === q ||
    (node.fan.name ?? "").toLowerCase().includes(q) ||
    (node.fan.username ?? "").toLowerCase().includes(q)
  );
}

/** The fan's segment from the enrichment's `segment:<tier>` tag, if scored. */
export function segmentOf(node: ConversationNode): string | null {
  const tag = (node.tags ?? []).find((t) => t.startsWith("segment:"));
  return tag ? tag.slice("segment:".length) : null;
}

export function displayName(node: Pick<ConversationNode, "fan" | "chatId">): string {
  return node.fan.name || (node.fan.username ? `@${node.fan.username}` : `Fan ${node.chatId}`);
}
