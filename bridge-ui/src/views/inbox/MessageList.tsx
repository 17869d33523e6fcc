/**
 * The chat's messages, oldest at the top, with older pages on demand. The top says "Start of the
 * conversation" only when the chat's history is complete; otherwise it is the oldest captured.
 */
import { useEffect, useRef } from "react";
import { formatDateTime, formatMoney } from "../../components/format";
import { Empty, Failure, Loading } from "../../components/StateMessage";
import type { ChatMessage } from "../../wire";
import { useMessages } from "./useMessages";

function MessageBubble({ message }: { message: ChatMessage }) {
  const money =
    message.isTip && message.tipAmount
      ? `Tip ${formatMoney(message.tipAmount)}`
      : message.isPpv
        ? `PPV ${formatMoney(message.price ?? 0)} · ${message.purchased ? "bought" : "not bought"}`
        : null;
  return (
    <li className={`bubble bubble-${message.direction}`} data-testid="message">
      {message.text ? <p>{message.text}</p> : <p className="muted">(no text)</p>}
      <span className="bubble-meta">
        {money && <span className="badge badge-money">{money}</span>}
        {(message.topics ?? []).map((t) => (
          <span key={t} className="tag">
            {t}
          </span>
        ))}
        <time dateTime={message.at}>{formatDateTime(message.at)}</time>
      </span>
    </li>
  );
}

export function MessageList({
  userId,
  chatId,
  version,
  historyComplete,
}: {
  userId: string;
  chatId: string;
  version: string;
  /** The Brain holds this chat's history back to its first message. */
  historyComplete: boolean;
}) {
  const messages = useMessages(userId, chatId, version);
  const bottom = useRef<HTMLLIElement>(null);
  const newest = messages.items.at(-1)?.id;

  useEffect(() => {
    bottom.current?.scrollIntoView({ block: "end" });
  }, [newest]);

  if (messages.status === "loading" && messages.items.length === 0) {
    return <Loading what="messages" />;
  }
  if (messages.status === "error" && messages.items.length === 0) {
    return <Failure error={messages.error ?? "Could not load the messages."} />;
  }
  return (
    <ol className="messages" aria-label="Messages">
      <li className="messages-older">
        {messages.olderCursor ? (
          <button
            type="button"
            className="link"
            onClick={messages.loadOlder}
            disabled={messages.loadingOlder}
          >
            {messages.loadingOlder ? "Loading…" : "Load older messages"}
          </button>
        ) : (
          <span className="muted small">
            {historyComplete
              ? "Start of the conversation"
              : "Oldest message captured: older history not captured yet"}
          </span>
        )}
      </li>
      {messages.items.length === 0 && <Empty>No messages.</Empty>}
      {messages.items.map((m) => (
        <MessageBubble key={m.id} message={m} />
      ))}
      <li ref={bottom} aria-hidden className="messages-end" />
    </ol>
  );
}
