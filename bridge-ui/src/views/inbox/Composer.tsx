/** Write a message (or edit a draft) and send it; optionally as a pay-per-view with a price. */
import { type FormEvent, useState } from "react";
import { useSocketLink } from "../../hooks/socketContext";
import { sendMessage } from "../../services/commands";
import { useChatStore } from "../../store/useChatStore";

export function Composer({
  userId,
  chatId,
  initialText,
  draftId,
  onSent,
  onCancelEdit,
}: {
  userId: string;
  chatId: string;
  initialText: string;
  draftId: string | null;
  onSent: () => void;
  onCancelEdit: (() => void) | undefined;
}) {
  const [text, setText] = useState(initialText);
  const [price, setPrice] = useState("");
  const socket = useSocketLink();
  const agentOnline = useChatStore((s) => s.brain.agentOnline);
  const priceValue = price.trim() ? Number(price) : null;
  const priceValid = priceValue === null || (Number.isFinite(priceValue) && priceValue >= 3);
  const canSend = text.trim().length > 0 && priceValid;

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (!canSend) return;
    sendMessage({ userId, chatId, text: text.trim(), price: priceValue, draftId }, socket);
    setText("");
    setPrice("");
    onSent();
  };

  return (
    <form className="composer" onSubmit={submit} aria-label="Write a message">
      {draftId && <span className="muted small">Editing the suggested reply</span>}
      <textarea
        rows={3}
        placeholder="Write a message… (Ctrl+Enter sends)"
        aria-label="Message"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) submit();
        }}
      />
      <div className="composer-row">
        <label className="small">
          PPV price $
          <input
            type="number"
            min={3}
            step="0.01"
            inputMode="decimal"
            placeholder="free"
            value={price}
            onChange={(e) => setPrice(e.target.value)}
            aria-invalid={!priceValid}
          />
        </label>
        {agentOnline === false && (
          <span className="small warn">
            Agent offline: the message waits for it (10 min at most).
          </span>
        )}
        <span className="spacer" />
        {onCancelEdit && (
          <button type="button" className="link" onClick={onCancelEdit}>
            Cancel
          </button>
        )}
        <button type="submit" className="primary" disabled={!canSend}>
          Send
        </button>
      </div>
    </form>
  );
}
