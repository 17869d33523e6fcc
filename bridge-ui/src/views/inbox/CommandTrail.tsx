/**
 * What was sent in this chat and where each command is: live `command_status` frames, completed
 * by the audit log (`GET …/commands?chat_id=`).
 */
import { useEffect, useMemo } from "react";
import { api } from "../../services/api";
import { formatDateTime } from "../../components/format";
import { useChatStore } from "../../store/useChatStore";
import type { CommandView } from "../../store/state";

const LABEL: Record<CommandView["state"], string> = {
  submitting: "sending to the Brain…",
  requested: "requested",
  issued: "waiting for the Agent",
  delivered: "handed to the Agent",
  sent: "sent to the fan",
  failed: "failed",
  rejected: "rejected",
  expired: "expired",
  refused: "refused by the Brain",
};

export function CommandTrail({ userId, chatId }: { userId: string; chatId: string }) {
  const commands = useChatStore((s) => s.commands);
  const generation = useChatStore((s) => s.syncGeneration);

  // The audit log fills in what was sent before this page was open, or while the socket was away.
  useEffect(() => {
    const abort = new AbortController();
    api.commands(userId, chatId, abort.signal).then(
      (page) => {
        if (!abort.signal.aborted) useChatStore.getState().mergeCommandRecords(page.items);
      },
      () => undefined, // live command_status frames still arrive; the log is a complement
    );
    return () => abort.abort();
  }, [userId, chatId, generation]);

  const mine = useMemo(
    () =>
      [...commands.values()]
        .filter((c) => c.chatId === chatId)
        .sort((a, b) => Date.parse(b.at) - Date.parse(a.at))
        .slice(0, 5),
    [commands, chatId],
  );
  if (mine.length === 0) return null;
  return (
    <ul className="command-trail" aria-label="Sent messages">
      {mine.map((c) => (
        <li key={c.commandId} data-testid="command" data-state={c.state}>
          <span className={`pill state-${c.state}`}>{LABEL[c.state]}</span>
          <span className="command-text">{c.text || "(message)"}</span>
          <span className="muted small">
            {c.origin === "auto" ? "auto · " : ""}
            {c.detail ? `${c.detail} · ` : ""}
            {formatDateTime(c.at)}
          </span>
        </li>
      ))}
    </ul>
  );
}
