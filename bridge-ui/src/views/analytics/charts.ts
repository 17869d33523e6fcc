/** ECharts options for the analytics charts: pure functions of the `Analytics` sections. */
import type { EChartsCoreOption } from "echarts/core";
import type { Analytics } from "../../wire";

type Activity = NonNullable<Analytics["activity"]>;
type Money = NonNullable<Analytics["money"]>;
type Responses = NonNullable<Analytics["responses"]>;

const AXIS = {
  axisLabel: { color: "#9aa4b2" },
  axisLine: { lineStyle: { color: "#3a4250" } },
  splitLine: { lineStyle: { color: "#232b38" } },
  nameTextStyle: { color: "#9aa4b2" },
};
const GRID = { left: 48, right: 16, top: 32, bottom: 32, containLabel: true };
const TOOLTIP = { trigger: "axis" as const };
export const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** First response times, in the buckets the Brain counts (`never` last). */
export function frtOption(responses: Responses): EChartsCoreOption {
  const buckets = responses.frtBuckets ?? [];
  return {
    grid: GRID,
    tooltip: TOOLTIP,
    xAxis: { type: "category", data: buckets.map((b) => b.label), ...AXIS },
    yAxis: { type: "value", name: "runs", minInterval: 1, ...AXIS },
    series: [
      {
        type: "bar",
        name: "First responses",
        data: buckets.map((b) => ({
          value: b.count,
          itemStyle: {
            color: b.label === "never" ? "#e5484d" : b.label === ">24h" ? "#f5a524" : "#4f8cff",
          },
        })),
      },
    ],
  };
}

/** Tips and PPV per day, stacked. */
export function revenueOption(money: Money): EChartsCoreOption {
  const days = money.revenueByDay ?? [];
  return {
    grid: GRID,
    tooltip: TOOLTIP,
    legend: { top: 0, textStyle: { color: "#c9d1d9" } },
    xAxis: { type: "category", data: days.map((d) => d.day.slice(5)), ...AXIS },
    yAxis: { type: "value", name: "USD", ...AXIS },
    series: [
      {
        type: "bar",
        name: "Tips",
        stack: "revenue",
        data: days.map((d) => d.tips ?? 0),
        itemStyle: { color: "#30a46c" },
      },
      {
        type: "bar",
        name: "PPV",
        stack: "revenue",
        data: days.map((d) => d.ppv ?? 0),
        itemStyle: { color: "#8e4ec6" },
      },
    ],
  };
}

/** Inbound and outbound messages per day. */
export function messagesOption(activity: Activity): EChartsCoreOption {
  const days = activity.messagesByDay ?? [];
  return {
    grid: GRID,
    tooltip: TOOLTIP,
    legend: { top: 0, textStyle: { color: "#c9d1d9" } },
    xAxis: { type: "category", data: days.map((d) => d.day.slice(5)), ...AXIS },
    yAxis: { type: "value", ...AXIS },
    series: [
      {
        type: "line",
        name: "From fans",
        smooth: true,
        data: days.map((d) => d.inbound ?? 0),
        itemStyle: { color: "#4f8cff" },
      },
      {
        type: "line",
        name: "From creator",
        smooth: true,
        data: days.map((d) => d.outbound ?? 0),
        itemStyle: { color: "#30a46c" },
      },
    ],
  };
}

/** Inbound messages by weekday (rows, Monday first) and UTC hour (columns). */
export function heatmapOption(activity: Activity): EChartsCoreOption {
  const grid = activity.heatmap ?? [];
  const cells: [number, number, number][] = [];
  let max = 0;
  grid.forEach((row, day) =>
    row.forEach((count, hour) => {
      cells.push([hour, day, count]);
      max = Math.max(max, count);
    }),
  );
  return {
    grid: { ...GRID, bottom: 56 },
    tooltip: {
      position: "top",
      formatter: (p: { value: [number, number, number] }) =>
        `${WEEKDAYS[p.value[1]]} ${String(p.value[0]).padStart(2, "0")}:00 UTC — ${p.value[2]} messages`,
    },
    xAxis: {
      type: "category",
      data: Array.from({ length: 24 }, (_, h) => String(h)),
      name: "hour (UTC)",
      ...AXIS,
    },
    yAxis: { type: "category", data: WEEKDAYS, inverse: true, ...AXIS },
    visualMap: {
      min: 0,
      max: Math.max(1, max),
      calculable: true,
      orient: "horizontal",
      left: "center",
      bottom: 0,
      itemHeight: 120,
      textStyle: { color: "#9aa4b2" },
      inRange: { color: ["#16202e", "#1f4f99", "#4f8cff", "#ffd166"] },
    },
    series: [
      {
        type: "heatmap",
        name: "Inbound messages",
        data: cells,
        emphasis: { itemStyle: { borderColor: "#fff", borderWidth: 1 } },
      },
    ],
  };
}
