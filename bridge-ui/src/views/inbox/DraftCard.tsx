/**
 * The chat's reply draft (from `GET …/drafts` or a live `reply_suggestion`): approve it as is,
 * edit it in the composer, or dismiss it. Nothing is sent without a click here.
 */
import { formatShare } from "../../components/format";
import { useSocketLink } from "../../hooks/socketContext";
import { sendMessage } from "../../services/commands";
import { useChatStore } from "../../store/useChatStore";

export function DraftCard({
  userId,
  chatId,
  onEdit,
}: {
  userId: string;
  chatId: string;
  onEdit: (text: string, draftId: string) => void;
}) {
  const draft = useChatStore((s) => s.drafts.get(chatId));
  const used = useChatStore((s) => {
    if (!draft) return false;
    for (const c of s.commands.values()) {
      if (c.draftId === draft.draftId && c.state !== "refused") return true;
    }
    return false;
  });
  const dismiss = useChatStore((s) => s.dismissDraft);
  const socket = useSocketLink();

  if (!draft) return null;
  const approve = () =>
    sendMessage({ userId, chatId, text: draft.text, price: null, draftId: draft.draftId }, socket);

  return (
    <div
      className={`draft${draft.blocked ? " draft-blocked" : ""}`}
      data-testid="draft"
      data-draft-id={draft.draftId}
    >
      <div className="draft-head">
        <strong>Suggested reply</strong>
        <span className="muted small">
          {draft.source} · confidence {formatShare(draft.confidence)}
          {draft.intent ? ` · ${draft.intent}` : ""}
        </span>
      </div>
      <p className="draft-text">{draft.text}</p>
      {draft.blocked && (
        <p className="form-error small">
          Blocked by the safety filter: {(draft.blockReasons ?? []).join(", ") || "no reason given"}
          . Edit it before sending.
        </p>
      )}
      {used ? (
        <p className="muted small">Sent for delivery — see the status below.</p>
      ) : (
        <div className="draft-buttons">
          <button type="button" className="primary" disabled={draft.blocked} onClick={approve}>
            Approve &amp; send
          </button>
          <button type="button" onClick={() => onEdit(draft.text, draft.draftId)}>
            Edit
          </button>
          <button type="button" className="link" onClick={() => dismiss(chatId)}>
            Dismiss
          </button>
        </div>
      )}
    </div>
  );
}
