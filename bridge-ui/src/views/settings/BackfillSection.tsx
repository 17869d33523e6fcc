/**
 * History backfill: what the Brain's data covers, and a request to this browser's extension to
 * walk the creator's history (`request_backfill`, confirmed by the creator in the extension's
 * popup). Progress is the Brain's (`coverage.backfill`), so it shows on any computer; "Ask this
 * browser's extension" reads the extension directly (`get_capture_status`).
 */
import { useState } from "react";
import { BackfillButton } from "../../components/BackfillButton";
import { coverageStatus, formatClock } from "../../components/coverageText";
import { extensionFailureText } from "../../components/extensionText";
import { formatCount } from "../../components/format";
import { extension } from "../../services/extension";
import type { AgentCaptureStatus } from "../../services/ExtensionService";
import { useChatStore } from "../../store/useChatStore";

const DAY_MS = 86_400_000;
const HOW_FAR: { label: string; days: number | null }[] = [
  { label: "The whole history", days: null },
  { label: "The last 365 days", days: 365 },
  { label: "The last 90 days", days: 90 },
  { label: "The last 30 days", days: 30 },
];

/** The extension's own report, in one line. */
export function agentStatusText(status: AgentCaptureStatus): string {
  const limited = status.state === "rate_limited" && status.rateLimitedUntil !== null;
  const parts = [
    limited
      ? `rate-limited until ${formatClock(status.rateLimitedUntil ?? 0)}`
      : `backfill ${status.state.replace("_", " ")}`,
    status.chatsTotal > 0
      ? `${formatCount(status.chatsDone)} of ${formatCount(status.chatsTotal)} chats`
      : `${formatCount(status.chatsDone)} chats`,
    `${formatCount(status.requests)} requests`,
  ];
  const pending = status.requestPending
    ? " A backfill request waits for the creator's answer in its popup."
    : "";
  return `This browser's extension: ${parts.join(", ")}.${pending}`;
}

export function BackfillSection() {
  const coverage = useChatStore((s) => s.analytics?.coverage);
  const [days, setDays] = useState<number | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const brain = coverageStatus(coverage);

  const check = async () => {
    setBusy(true);
    const result = await extension.getCaptureStatus();
    setStatus(result.ok ? agentStatusText(result.response) : extensionFailureText(result));
    setBusy(false);
  };

  return (
    <section className="card" aria-label="History backfill">
      <h2>History backfill</h2>
      <p className="muted small">
        Until the extension has walked the whole chat list and each chat's history, figures are
        computed on part of the inbox (the analytics page says how much). The Brain says:{" "}
        <strong data-testid="settings-coverage">{brain.text}</strong>.
      </p>
      <label>
        How far back
        <select
          value={days ?? ""}
          onChange={(e) => setDays(e.target.value === "" ? null : Number(e.target.value))}
        >
          {HOW_FAR.map((o) => (
            <option key={o.label} value={o.days ?? ""}>
              {o.label}
            </option>
          ))}
        </select>
      </label>
      <div className="form-actions">
        <BackfillButton since={days === null ? undefined : Date.now() - days * DAY_MS} />
        <button type="button" onClick={() => void check()} disabled={busy}>
          {busy ? "Asking…" : "Ask this browser's extension"}
        </button>
      </div>
      {status && (
        <p className="small" role="status" data-testid="capture-status">
          {status}
        </p>
      )}
      <p className="muted small">
        The extension asks the creator to confirm before it starts; it pauses while no OnlyFans tab
        is visible, backs off when OnlyFans rate-limits it, and the creator can stop it.
      </p>
    </section>
  );
}
