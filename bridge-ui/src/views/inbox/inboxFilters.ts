/** Which conversations the inbox shows: a filter chip plus a search box. */
import { matchesSearch } from "../../store/conversations";
import type { ConversationNode } from "../../wire";

export type InboxFilter = "all" | "unread" | "awaiting" | "spenders";

export const FILTERS: { value: InboxFilter; label: string }[] = [
  { value: "all", label: "All" },
  { value: "unread", label: "Unread" },
  { value: "awaiting", label: "Awaiting reply" },
  { value: "spenders", label: "Spenders" },
];

const KEEP: Record<InboxFilter, (node: ConversationNode) => boolean> = {
  all: () => true,
  unread: (n) => (n.unread ?? 0) > 0,
  awaiting: (n) => Boolean(n.awaitingReplySince),
  spenders: (n) => (n.revenue?.total ?? 0) > 0,
};

export function* visibleConversations(
  nodes: Iterable<ConversationNode>,
  filter: InboxFilter,
  query: string,
): Generator<ConversationNode> {
  const keep = KEEP[filter];
  for (const node of nodes) {
    if (keep(node) && matchesSearch(node, query)) yield node;
  }
}
