/** What fans talk about: volume, share, trend, handle time, silence, turns, sentiment per topic. */
import { useMemo, useState } from "react";
import { formatMinutes, formatShare, formatTrend } from "../../components/format";
import type { TopicMetric } from "../../wire";

type Column = {
  key: keyof TopicMetric;
  label: string;
  title: string;
  show: (t: TopicMetric) => string;
};

const COLUMNS: Column[] = [
  { key: "topic", label: "Topic", title: "Topic", show: (t) => t.topic.replaceAll("_", " ") },
  {
    key: "volume",
    label: "Volume",
    title: "Conversations mentioning it",
    show: (t) => String(t.volume),
  },
  {
    key: "share",
    label: "% of total",
    title: "Share of active conversations",
    show: (t) => formatShare(t.share, 1),
  },
  {
    key: "trend",
    label: "Trend",
    title: "Change vs the previous window",
    show: (t) => formatTrend(t.trend),
  },
  {
    key: "ahtMinutes",
    label: "AHT",
    title: "Average handle time (session length)",
    show: (t) => formatMinutes(t.ahtMinutes),
  },
  {
    key: "silenceShare",
    label: "% silence",
    title: "Runs answered after 24h or never",
    show: (t) => formatShare(t.silenceShare),
  },
  {
    key: "turns",
    label: "Turns",
    title: "Mean turns per session",
    show: (t) => ((t.turns ?? null) === null ? "—" : (t.turns ?? 0).toFixed(1)),
  },
  {
    key: "sentiment",
    label: "Sentiment",
    title: "Mean sentiment 0..1",
    show: (t) => ((t.sentiment ?? null) === null ? "—" : (t.sentiment ?? 0).toFixed(2)),
  },
];

function value(t: TopicMetric, key: keyof TopicMetric): number | string {
  const v = t[key];
  return v === null || v === undefined ? -Infinity : v;
}

export function TopicTable({ topics }: { topics: readonly TopicMetric[] }) {
  const [sort, setSort] = useState<{ key: keyof TopicMetric; desc: boolean }>({
    key: "volume",
    desc: true,
  });
  const rows = useMemo(() => {
    const sorted = [...topics].sort((a, b) => {
      const va = value(a, sort.key);
      const vb = value(b, sort.key);
      return va < vb ? -1 : va > vb ? 1 : 0;
    });
    return sort.desc ? sorted.reverse() : sorted;
  }, [topics, sort]);

  if (topics.length === 0) {
    return <p className="muted">No topics in this window: messages are scored as they arrive.</p>;
  }
  return (
    <table className="table" data-testid="topic-table">
      <thead>
        <tr>
          {COLUMNS.map((c) => (
            <th
              key={c.key}
              title={c.title}
              aria-sort={sort.key === c.key ? (sort.desc ? "descending" : "ascending") : "none"}
            >
              <button
                type="button"
                onClick={() =>
                  setSort((s) => ({
                    key: c.key,
                    desc: s.key === c.key ? !s.desc : c.key !== "topic",
                  }))
                }
              >
                {c.label}
                {sort.key === c.key ? (sort.desc ? " ▼" : " ▲") : ""}
              </button>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((t) => (
          <tr key={t.topic}>
            {COLUMNS.map((c) => (
              <td key={c.key} className={c.key === "trend" ? trendClass(t.trend) : undefined}>
                {c.show(t)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function trendClass(trend: number | null | undefined): string | undefined {
  if (trend === null || trend === undefined) return undefined;
  return trend > 0 ? "up" : trend < 0 ? "down" : undefined;
}
