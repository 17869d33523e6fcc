/**
 * Above the figures: what they are computed on ("Based on 82% of chats (1,640 of 2,000)…"), the
 * backfill's progress as the Brain last heard it, and "Backfill history…" while history is missing.
 * Dates are UTC like the rest of the analytics page.
 */
import "../../components/coverage.css";
import { BackfillButton } from "../../components/BackfillButton";
import { coverageBanner } from "../../components/coverageText";
import type { Coverage } from "../../wire";

export function CoverageBanner({ coverage }: { coverage: Coverage | null | undefined }) {
  const banner = coverageBanner(coverage, { timeZone: "UTC" });
  return (
    <div
      className={`coverage-banner coverage-${banner.tone}`}
      role="note"
      aria-label="Data coverage"
      data-testid="coverage-banner"
      data-tone={banner.tone}
      title={banner.detail || undefined}
    >
      <span className="coverage-text" data-testid="coverage-text">
        {banner.text}
        {banner.backfill && <span className="muted"> · {banner.backfill}</span>}
      </span>
      {banner.suggestBackfill && <BackfillButton />}
    </div>
  );
}
