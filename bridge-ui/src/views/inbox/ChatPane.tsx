/**
 * The open chat: header (with how much of its history the Brain holds), messages, the reply
 * draft, the composer and what was sent.
 */
import { useState } from "react";
import "../../components/coverage.css";
import { chatHistoryText } from "../../components/coverageText";
import { formatCount } from "../../components/format";
import { Empty } from "../../components/StateMessage";
import { displayName } from "../../store/conversations";
import { useChatStore } from "../../store/useChatStore";
import { CommandTrail } from "./CommandTrail";
import { Composer } from "./Composer";
import { DraftCard } from "./DraftCard";
import { MessageList } from "./MessageList";

export function ChatPane({ userId, chatId }: { userId: string; chatId: string }) {
  const node = useChatStore((s) => s.conversations.get(chatId));
  const loadingDone = useChatStore((s) => s.loading.done);
  const [editing, setEditing] = useState<{ text: string; draftId: string } | null>(null);

  if (!node) {
    return (
      <section className="chat-pane chat-empty">
        <Empty>
          {loadingDone ? "This conversation is not in the inbox." : "Loading this conversation…"}
        </Empty>
      </section>
    );
  }
  // Messages reload when the conversation changes (a live append_message).
  const version = `${node.lastMessage?.at ?? ""}|${node.counts?.total ?? 0}`;
  return (
    <section className="chat-pane" aria-label="Chat" data-testid="chat-pane">
      <header className="chat-header">
        <h2>{displayName(node)}</h2>
        {node.fan.username && <span className="muted">@{node.fan.username}</span>}
        <span className="spacer" />
        <span className="muted small">
          {formatCount(node.counts?.total ?? 0)} messages · {formatCount(node.unread ?? 0)} unread
        </span>
        <span
          className={`chat-history${node.history?.complete ? "" : " history-partial"}`}
          data-testid="chat-history"
        >
          {chatHistoryText(node.history)}
        </span>
      </header>
      <MessageList
        userId={userId}
        chatId={chatId}
        version={version}
        historyComplete={node.history?.complete === true}
      />
      <div className="chat-actions">
        <DraftCard
          userId={userId}
          chatId={chatId}
          onEdit={(text, draftId) => setEditing({ text, draftId })}
        />
        <CommandTrail userId={userId} chatId={chatId} />
        <Composer
          key={editing?.draftId ?? "own"}
          userId={userId}
          chatId={chatId}
          initialText={editing?.text ?? ""}
          draftId={editing?.draftId ?? null}
          onSent={() => setEditing(null)}
          onCancelEdit={editing ? () => setEditing(null) : undefined}
        />
      </div>
    </section>
  );
}
