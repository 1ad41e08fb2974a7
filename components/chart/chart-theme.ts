import type { SeriesPoint } from "@/lib/kpi/overview";
import { formatCount, formatDateTime, formatDuration, formatPercent } from "@/lib/format";

export type { SeriesPoint };

/*
 * What every chart shares: colours from the theme's CSS variables (so light and dark follow
 * the toggle without re-rendering) and how a bucket start reads on an axis and in a tooltip.
 * Client-safe: no server imports.
 */

export const CHART_COLORS = {
  primary: "var(--chart-1)",
  secondary: "var(--chart-2)",
  tertiary: "var(--chart-3)",
  quaternary: "var(--chart-4)",
  target: "var(--ok)",
  grid: "var(--border)",
  axis: "var(--text-muted)",
} as const;

export type BucketUnit = "hour" | "day";

const dayTick = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  timeZone: "UTC",
});
const hourTick = new Intl.DateTimeFormat("en-GB", {
  hour: "2-digit",
  minute: "2-digit",
  timeZone: "UTC",
});

export function formatBucketTick(bucket: string, unit: BucketUnit): string {
  return (unit === "day" ? dayTick : hourTick).format(new Date(bucket));
}

export function formatBucketLabel(bucket: string, unit: BucketUnit): string {
  return unit === "day" ? `${dayTick.format(new Date(bucket))} (UTC day)` : formatDateTime(bucket);
}

/** Fixed heights, shared with the placeholders in lazy.tsx so that a chart arriving moves nothing. */
export const SPARKLINE_HEIGHT = 44;
export const TIME_SERIES_HEIGHT = 220;

export const axisTick = { fill: CHART_COLORS.axis, fontSize: 12 } as const;

export const tooltipStyle = {
  contentStyle: {
    background: "var(--surface)",
    border: "1px solid var(--border)",
    borderRadius: 6,
    color: "var(--text)",
    fontSize: 13,
  },
  labelStyle: { color: "var(--text-muted)" },
} as const;

/** A sentence for screen readers: the chart's latest, lowest and highest values. */
export function describeSeries(
  points: readonly SeriesPoint[],
  format: (v: number) => string,
): string {
  const values = points.map((p) => p.value).filter((v): v is number => v !== null);
  if (values.length === 0) return "no data";
  const latest = [...points].reverse().find((p) => p.value !== null)!;
  return `latest ${format(latest.value!)}, lowest ${format(Math.min(...values))}, highest ${format(Math.max(...values))}`;
}

/** How a chart prints its values; a name rather than a function, so a server component can choose it. */
export type ValueFormat = "ratio" | "duration" | "count";

export function formatChartValue(format: ValueFormat, value: number): string {
  switch (format) {
    case "ratio":
      return formatPercent(value, 2);
    case "duration":
      return formatDuration(value);
    case "count":
      return formatCount(value);
  }
}
