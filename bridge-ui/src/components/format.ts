/** How numbers, money and times read on screen. */
const money = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
  maximumFractionDigits: 2,
});
const moneyShort = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
  notation: "compact",
  maximumFractionDigits: 1,
});
const count = new Intl.NumberFormat("en-US");

export const formatMoney = (dollars: number | null | undefined): string =>
  dollars === null || dollars === undefined ? "—" : money.format(dollars);

export const formatMoneyShort = (dollars: number): string =>
  dollars >= 1000 ? moneyShort.format(dollars) : money.format(Math.round(dollars));

export const formatCount = (n: number | null | undefined): string =>
  n === null || n === undefined ? "—" : count.format(n);

/** 0..1 as a percentage; null (a ratio with no denominator) as a dash. */
export function formatShare(share: number | null | undefined, digits = 0): string {
  return share === null || share === undefined ? "—" : `${(share * 100).toFixed(digits)}%`;
}

/** A relative change (0.25 → "+25%"). */
export function formatTrend(trend: number | null | undefined): string {
  if (trend === null || trend === undefined) return "—";
  const pct = Math.round(trend * 100);
  return `${pct > 0 ? "+" : ""}${pct}%`;
}

/** Minutes as "4m", "2h 05m", "3d 4h". */
export function formatMinutes(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined) return "—";
  if (minutes < 1) return "<1m";
  if (minutes < 60) return `${Math.round(minutes)}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${String(Math.round(minutes % 60)).padStart(2, "0")}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** How long ago `iso` was, short ("5m", "3h", "2d"); "" when absent. */
export function formatAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "";
  return formatMinutes(Math.max(0, (now - Date.parse(iso)) / 60_000));
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  return new Date(iso).toLocaleString(undefined, {
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
}

export function formatTime(ms: number | null): string {
  return ms === null ? "—" : new Date(ms).toLocaleTimeString();
}

/** Sentiment 0..1 as a word and the number. */
export function formatSentiment(score: number | null | undefined): string {
  if (score === null || score === undefined) return "—";
  const word = score >= 0.6 ? "positive" : score <= 0.4 ? "negative" : "neutral";
  return `${score.toFixed(2)} ${word}`;
}
