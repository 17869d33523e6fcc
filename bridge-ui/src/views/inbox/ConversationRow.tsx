/**
 * One inbox row: who, the last message, how long they wait, unread and money badges, and a ring on
 * the avatar while the chat's older history is not captured yet.
 */
import { memo } from "react";
import "../../components/coverage.css";
import { historyIncomplete } from "../../components/coverageText";
import { formatAgo, formatMoneyShort } from "../../components/format";
import { routeHref } from "../../hooks/useHashRoute";
import { displayName, segmentOf } from "../../store/conversations";
import type { ConversationNode } from "../../wire";

export const ROW_HEIGHT = 72;

const HISTORY_MARK = "Older history not captured yet";

function initials(name: string): string {
  const letters = name
    .replace(/^@/, "")
    .split(/\s+/)
    .map((w) => w[0] ?? "");
  return letters.slice(0, 2).join("").toUpperCase() || "?";
}

export const ConversationRow = memo(function ConversationRow({
  node,
  top,
  selected,
  hasDraft,
  now,
}: {
  node: ConversationNode;
  top: number;
  selected: boolean;
  hasDraft: boolean;
  now: number;
}) {
  const name = displayName(node);
  const unread = node.unread ?? 0;
  const revenue = node.revenue?.total ?? 0;
  const waiting = node.awaitingReplySince ? formatAgo(node.awaitingReplySince, now) : null;
  const segment = segmentOf(node);
  const last = node.lastMessage;
  return (
    <a
      href={routeHref("inbox", node.chatId)}
      className={`conv-row${selected ? " selected" : ""}${unread > 0 ? " unread" : ""}`}
      style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT }}
      data-testid="conversation-row"
      data-chat-id={node.chatId}
      aria-current={selected ? "true" : undefined}
    >
      <span className="avatar-wrap">
        <span className="avatar" aria-hidden>
          {initials(name)}
        </span>
        {historyIncomplete(node.history) && (
          <span
            className="history-dot"
            role="img"
            aria-label={HISTORY_MARK}
            title={HISTORY_MARK}
            data-testid="history-incomplete"
          />
        )}
      </span>
      <span className="conv-main">
        <span className="conv-line">
          <span className="conv-name">{name}</span>
          {segment && <span className={`tag seg-${segment}`}>{segment.replace("_", " ")}</span>}
          <span className="conv-time">{formatAgo(last?.at, now)}</span>
        </span>
        <span className="conv-line">
          <span className="conv-preview">
            {last
              ? (last.direction === "out" ? "You: " : "") + (last.text || "(no text)")
              : "No messages"}
          </span>
        </span>
        <span className="conv-line conv-badges">
          {waiting && <span className="badge badge-wait">waiting {waiting}</span>}
          {unread > 0 && (
            <span className="badge badge-unread" data-testid="unread-badge">
              {unread} unread
            </span>
          )}
          {revenue > 0 && (
            <span className="badge badge-money" title={`Spent ${revenue} USD in this chat`}>
              {formatMoneyShort(revenue)}
            </span>
          )}
          {hasDraft && <span className="badge badge-draft">draft</span>}
        </span>
      </span>
    </a>
  );
});
