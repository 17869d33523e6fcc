/** Fans waiting for an answer right now, longest wait first (links open the chat). */
import { formatMinutes } from "../../components/format";
import { routeHref } from "../../hooks/useHashRoute";
import { displayName } from "../../store/conversations";
import { useChatStore } from "../../store/useChatStore";
import type { Analytics } from "../../wire";

type Responses = NonNullable<Analytics["responses"]>;

export function WaitingFans({ responses }: { responses: Responses }) {
  const conversations = useChatStore((s) => s.conversations);
  const waiting = responses.waiting ?? [];
  if (waiting.length === 0) return <p className="muted">Nobody is waiting. 🎉</p>;
  return (
    <ol className="waiting-list">
      {waiting.slice(0, 15).map((w) => {
        const node = conversations.get(w.chatId);
        return (
          <li key={w.chatId}>
            <a href={routeHref("inbox", w.chatId)}>
              {node ? displayName(node) : `Fan ${w.chatId}`}
            </a>
            <span className={w.minutes > 1440 ? "warn" : "muted"}>{formatMinutes(w.minutes)}</span>
          </li>
        );
      })}
    </ol>
  );
}
