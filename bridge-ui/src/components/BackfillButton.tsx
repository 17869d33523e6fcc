/**
 * "Backfill history…": asks this browser's OFCA extension to walk the creator's whole history
 * (`request_backfill`). The extension does nothing until the creator confirms in its popup, so
 * the answer here is "confirm there"; progress comes from the Brain (`coverage.backfill`).
 */
import { useState } from "react";
import { extension } from "../services/extension";
import { extensionFailureText } from "./extensionText";

export const CONFIRM_IN_POPUP = "Confirm in the OFCA extension's popup.";

export function BackfillButton({
  since,
  label = "Backfill history…",
}: {
  /** Epoch ms to backfill back to; the whole history when absent. */
  since?: number | undefined;
  label?: string;
}) {
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<{ ok: boolean; text: string } | null>(null);

  const request = async () => {
    setBusy(true);
    setAnswer(null);
    const result = await extension.requestBackfill(since);
    setAnswer(
      result.ok
        ? { ok: true, text: CONFIRM_IN_POPUP }
        : {
            ok: false,
            text: `${extensionFailureText(result)} You can also start the backfill from the extension's popup where OnlyFans is open; its progress shows here either way.`,
          },
    );
    setBusy(false);
  };

  return (
    <span className="backfill-action">
      <button type="button" onClick={() => void request()} disabled={busy}>
        {busy ? "Asking the extension…" : label}
      </button>
      {answer && (
        <span
          className={`small ${answer.ok ? "ok" : "warn"}`}
          role="status"
          data-testid="backfill-answer"
        >
          {answer.text}
        </span>
      )}
    </span>
  );
}
