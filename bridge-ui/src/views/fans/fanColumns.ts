/** The fans table's columns: what each shows and how it sorts. */
import { formatAgo, formatMoney, formatSentiment } from "../../components/format";
import { displayName, lastMessageMs, segmentOf } from "../../store/conversations";
import type { ConversationNode } from "../../wire";

export interface FanColumn {
  key: string;
  label: string;
  width: string;
  numeric: boolean;
  sortValue: (n: ConversationNode) => number | string;
  show: (n: ConversationNode, now: number) => string;
}

const SEGMENT_RANK: Record<string, number> = {
  whale: 6,
  loyal: 5,
  promising: 4,
  new: 3,
  casual: 2,
  at_risk: 1,
  lapsed: 0,
};

export const FAN_COLUMNS: FanColumn[] = [
  {
    key: "fan",
    label: "Fan",
    width: "2fr",
    numeric: false,
    sortValue: (n) => displayName(n).toLowerCase(),
    show: (n) => displayName(n),
  },
  {
    key: "segment",
    label: "Segment",
    width: "1fr",
    numeric: false,
    sortValue: (n) => SEGMENT_RANK[segmentOf(n) ?? ""] ?? -1,
    show: (n) => segmentOf(n)?.replace("_", " ") ?? "—",
  },
  {
    key: "spend",
    label: "Spend",
    width: "1fr",
    numeric: true,
    sortValue: (n) => n.revenue?.total ?? 0,
    show: (n) => formatMoney(n.revenue?.total ?? 0),
  },
  {
    key: "tips",
    label: "Tips",
    width: "1fr",
    numeric: true,
    sortValue: (n) => n.revenue?.tips ?? 0,
    show: (n) => formatMoney(n.revenue?.tips ?? 0),
  },
  {
    key: "ppv",
    label: "PPV bought",
    width: "1fr",
    numeric: true,
    sortValue: (n) => n.ppvPurchased ?? 0,
    show: (n) => `${n.ppvPurchased ?? 0} / ${n.ppvSent ?? 0}`,
  },
  {
    key: "messages",
    label: "Messages",
    width: "1fr",
    numeric: true,
    sortValue: (n) => n.counts?.total ?? 0,
    show: (n) => String(n.counts?.total ?? 0),
  },
  {
    key: "unread",
    label: "Unread",
    width: "0.8fr",
    numeric: true,
    sortValue: (n) => n.unread ?? 0,
    show: (n) => String(n.unread ?? 0),
  },
  {
    key: "sentiment",
    label: "Sentiment",
    width: "1.2fr",
    numeric: true,
    sortValue: (n) => n.sentimentMean ?? -1,
    show: (n) => formatSentiment(n.sentimentMean),
  },
  {
    key: "priority",
    label: "Priority",
    width: "0.8fr",
    numeric: true,
    sortValue: (n) => n.priority ?? 0,
    show: (n) => (n.priority ?? 0).toFixed(2),
  },
  {
    key: "last",
    label: "Last message",
    width: "1fr",
    numeric: true,
    sortValue: (n) => lastMessageMs(n),
    show: (n, now) => (n.lastMessage ? `${formatAgo(n.lastMessage.at, now)} ago` : "—"),
  },
];

export function sortFans(
  nodes: Iterable<ConversationNode>,
  column: FanColumn,
  desc: boolean,
): ConversationNode[] {
  const sign = desc ? -1 : 1;
  return Array.from(nodes).sort((a, b) => {
    const va = column.sortValue(a);
    const vb = column.sortValue(b);
    return (va < vb ? -1 : va > vb ? 1 : a.chatId.localeCompare(b.chatId)) * sign;
  });
}
