import { type FormEvent, useState } from "react";
import { type AnalyticsRange, isoDay } from "./dateRange";

const PRESETS: { label: string; range: AnalyticsRange }[] = [
  { label: "Live · 30 days", range: { kind: "live" } },
  { label: "7 days", range: { kind: "days", days: 7 } },
  { label: "90 days", range: { kind: "days", days: 90 } },
];

function same(a: AnalyticsRange, b: AnalyticsRange): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Presets plus a from/to date filter (UTC days, both included). */
export function DateRangePicker({
  value,
  onChange,
}: {
  value: AnalyticsRange;
  onChange: (range: AnalyticsRange) => void;
}) {
  const [from, setFrom] = useState(isoDay(Date.now() - 30 * 86_400_000));
  const [to, setTo] = useState(isoDay(Date.now()));
  const valid = from !== "" && to !== "" && from <= to;
  const apply = (event: FormEvent) => {
    event.preventDefault();
    if (valid) onChange({ kind: "custom", from, to });
  };
  return (
    <form className="date-range" onSubmit={apply} aria-label="Date range">
      {PRESETS.map((p) => (
        <button
          key={p.label}
          type="button"
          className={same(p.range, value) ? "chip active" : "chip"}
          aria-pressed={same(p.range, value)}
          onClick={() => onChange(p.range)}
        >
          {p.label}
        </button>
      ))}
      <label className="small">
        From <input type="date" value={from} max={to} onChange={(e) => setFrom(e.target.value)} />
      </label>
      <label className="small">
        To <input type="date" value={to} min={from} onChange={(e) => setTo(e.target.value)} />
      </label>
      <button
        type="submit"
        className={value.kind === "custom" ? "chip active" : "chip"}
        disabled={!valid}
      >
        Apply
      </button>
    </form>
  );
}
