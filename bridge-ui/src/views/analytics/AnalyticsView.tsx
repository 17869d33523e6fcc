/**
 * Analytics for a window (definitions: docs/metrics.md): summary figures, the topic table, first
 * response times, fans waiting now, revenue by day, PPV conversion, messages by day and the
 * weekday × hour heatmap. "Live" shows the Brain's pushed analytics (last 30 days, updated by
 * `analytics_update`); any other window is asked for over REST. A banner above the figures says
 * what they cover (the newest coverage the Brain sent, whichever the window).
 */
import { useMemo, useState } from "react";
import { EChart } from "../../components/EChart";
import {
  formatCount,
  formatMinutes,
  formatMoney,
  formatShare,
  formatTime,
} from "../../components/format";
import { Failure, Loading } from "../../components/StateMessage";
import { useAsync } from "../../hooks/useAsync";
import { api } from "../../services/api";
import { useChatStore } from "../../store/useChatStore";
import type { Analytics } from "../../wire";
import { CoverageBanner } from "./CoverageBanner";
import { frtOption, heatmapOption, messagesOption, revenueOption } from "./charts";
import { type AnalyticsRange, rangeQuery } from "./dateRange";
import { DateRangePicker } from "./DateRangePicker";
import { TopicTable } from "./TopicTable";
import { WaitingFans } from "./WaitingFans";

export function AnalyticsView({ userId }: { userId: string }) {
  const [range, setRange] = useState<AnalyticsRange>({ kind: "live" });
  const live = useChatStore((s) => s.analytics);
  const liveAt = useChatStore((s) => s.analyticsAt);
  const useLive = range.kind === "live" && live !== null;
  const fetched = useAsync(
    (signal) => {
      if (useLive) return Promise.resolve(null);
      const { from, to } = rangeQuery(range);
      return api.analytics(userId, from, to, signal);
    },
    [userId, JSON.stringify(range), useLive],
  );
  const analytics: Analytics | null = useLive ? live : fetched.data;
  // Coverage is not per window: the live one is the newest (analytics_update keeps it current).
  const coverage = live?.coverage ?? analytics?.coverage;

  return (
    <div className="analytics" data-testid="analytics-view">
      <div className="view-head">
        <h1>Analytics</h1>
        <DateRangePicker value={range} onChange={setRange} />
      </div>
      <p className="muted small">
        {useLive
          ? `Live: last 30 days, updated ${formatTime(liveAt ? Date.parse(liveAt) : null)}.`
          : analytics?.windowFrom
            ? `Window ${analytics.windowFrom.slice(0, 10)} → ${(analytics.windowTo ?? "").slice(0, 10)} (UTC).`
            : ""}{" "}
        Times are UTC. Definitions: docs/metrics.md.
      </p>
      {(analytics || live) && <CoverageBanner coverage={coverage} />}
      {!analytics && fetched.status === "loading" && <Loading what="analytics" />}
      {!analytics && fetched.status === "error" && (
        <Failure error={fetched.error} onRetry={fetched.reload} />
      )}
      {analytics && <AnalyticsBody analytics={analytics} />}
    </div>
  );
}

function AnalyticsBody({ analytics }: { analytics: Analytics }) {
  const { money, responses, activity } = analytics;
  const options = useMemo(
    () => ({
      frt: responses ? frtOption(responses) : null,
      revenue: money ? revenueOption(money) : null,
      heatmap: activity ? heatmapOption(activity) : null,
      messages: activity ? messagesOption(activity) : null,
    }),
    [money, responses, activity],
  );
  return (
    <>
      <div className="tiles">
        <Tile label="Active conversations" value={formatCount(activity?.conversations)} />
        <Tile label="Revenue" value={formatMoney(money?.revenueTotal)} />
        <Tile label="Tips" value={formatMoney(money?.tipsTotal)} />
        <Tile label="PPV sales" value={formatMoney(money?.ppvTotal)} />
        <Tile
          label="PPV conversion"
          value={formatShare(money?.ppvConversion)}
          note={
            money ? `${money.ppvPurchased ?? 0} bought of ${money.ppvSent ?? 0} sent` : undefined
          }
        />
        <Tile
          label="Median · p90 reply"
          value={`${formatMinutes(responses?.medianReplyMinutes)} · ${formatMinutes(responses?.p90ReplyMinutes)}`}
        />
        <Tile label="Unanswered" value={formatShare(responses?.unansweredShare)} />
        <Tile label="Fans waiting now" value={formatCount(responses?.waitingCount)} />
      </div>
      <section className="card">
        <h2>Topics</h2>
        <TopicTable topics={analytics.topics ?? []} />
      </section>
      <div className="grid-2">
        <section className="card">
          <h2>First response time</h2>
          {options.frt ? (
            <EChart option={options.frt} label="First response time histogram" />
          ) : (
            <NoData />
          )}
        </section>
        <section className="card">
          <h2>Fans waiting now</h2>
          {responses ? <WaitingFans responses={responses} /> : <NoData />}
        </section>
        <section className="card">
          <h2>Revenue by day</h2>
          {options.revenue ? (
            <EChart option={options.revenue} label="Revenue by day" />
          ) : (
            <NoData />
          )}
        </section>
        <section className="card">
          <h2>Messages by day</h2>
          {options.messages ? (
            <EChart option={options.messages} label="Messages by day" />
          ) : (
            <NoData />
          )}
        </section>
      </div>
      <section className="card">
        <h2>When fans write (weekday × hour, UTC)</h2>
        {options.heatmap ? (
          <EChart option={options.heatmap} height={300} label="Weekday by hour heatmap" />
        ) : (
          <NoData />
        )}
      </section>
    </>
  );
}

function Tile({ label, value, note }: { label: string; value: string; note?: string | undefined }) {
  return (
    <div className="tile">
      <span className="tile-label">{label}</span>
      <span className="tile-value">{value}</span>
      {note && <span className="muted small">{note}</span>}
    </div>
  );
}

function NoData() {
  return <p className="muted">No data for this window.</p>;
}
