/** The analytics window: the live one (last 30 days, kept current by the socket) or a chosen one. */
export type AnalyticsRange =
  { kind: "live" } | { kind: "days"; days: number } | { kind: "custom"; from: string; to: string }; // YYYY-MM-DD, both days included

const DAY_MS = 86_400_000;

/** `[from, to)` as ISO instants for `GET …/analytics`, or nulls for the Brain's default. */
export function rangeQuery(
  range: AnalyticsRange,
  now = Date.now(),
): { from: string | null; to: string | null } {
  switch (range.kind) {
    case "live":
      return { from: null, to: null };
    case "days":
      return {
        from: new Date(now - range.days * DAY_MS).toISOString(),
        to: new Date(now).toISOString(),
      };
    case "custom":
      return {
        from: `${range.from}T00:00:00Z`,
        to: new Date(Date.parse(`${range.to}T00:00:00Z`) + DAY_MS).toISOString(),
      };
  }
}

export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
