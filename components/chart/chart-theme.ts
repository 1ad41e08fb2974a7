import type { SeriesPoint, SeriesUnit } from "@/lib/kpi/series";
import { formatDateTime } from "@/lib/format";

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

export type BucketUnit = SeriesUnit;

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
  return (unit === "hour" ? hourTick : dayTick).format(new Date(bucket));
}

export function formatBucketLabel(bucket: string, unit: BucketUnit): string {
  switch (unit) {
    case "hour":
      return formatDateTime(bucket);
    case "day":
      return `${dayTick.format(new Date(bucket))} (UTC day)`;
    case "week":
      return `Week from Monday ${dayTick.format(new Date(bucket))} (UTC)`;
  }
}

/** Fixed heights, shared with the placeholders in lazy.tsx so that a chart arriving moves nothing. */
export const SPARKLINE_HEIGHT = 44;
export const TIME_SERIES_HEIGHT = 220;

export const axisTick = { fill: CHART_COLORS.axis, fontSize: 12 } as const;

/** The frame of a time-series chart: full width, its fixed height, room above for labels. */
export function timeSeriesFrame(top: number) {
  return {
    responsive: true,
    style: { width: "100%", height: TIME_SERIES_HEIGHT },
    margin: { top, right: 12, bottom: 0, left: 0 },
  } as const;
}

/** Horizontal grid lines only: the buckets are read from the axis, the values across. */
export const gridLines = {
  stroke: CHART_COLORS.grid,
  strokeDasharray: "3 3",
  vertical: false,
} as const;

/** The time axis: one tick per bucket start, as far apart as their labels need. */
export function bucketAxis(unit: BucketUnit, minTickGap: number) {
  return {
    dataKey: "bucket",
    tick: axisTick,
    tickFormatter: (bucket: string) => formatBucketTick(bucket, unit),
    minTickGap,
    stroke: CHART_COLORS.grid,
  } as const;
}

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

/**
 * The parts of a bar chart of a count per bucket: whole numbers on the value axis, bars no
 * wider than a finger, and a tooltip with the count or what its absence means (`missing`).
 */
export function countChart(
  config: { label: string; color: string },
  unit: BucketUnit,
  { minTickGap, missing }: { minTickGap: number; missing: string },
) {
  return {
    frame: timeSeriesFrame(8),
    grid: gridLines,
    xAxis: bucketAxis(unit, minTickGap),
    yAxis: { tick: axisTick, allowDecimals: false, width: 72, stroke: CHART_COLORS.grid },
    tooltip: {
      ...tooltipStyle,
      cursor: { fill: "var(--surface-2)" },
      labelFormatter: (bucket: unknown) => formatBucketLabel(String(bucket), unit),
      formatter: (value: unknown): [string, string] => [
        typeof value === "number" ? value.toLocaleString("en-US") : missing,
        config.label,
      ],
    },
    bar: {
      dataKey: "value",
      name: config.label,
      fill: config.color,
      isAnimationActive: false,
      maxBarSize: 28,
    },
  } as const;
}

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

const NICE_STEPS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25];

/**
 * Ticks for a ratio axis from just below the lowest value (or the target) up to exactly 100%,
 * in a round step, with as many decimals as the step needs.
 */
export function ratioScale(points: readonly SeriesPoint[], target: number | null | undefined) {
  const values = points.map((p) => p.value).filter((v): v is number => v !== null);
  if (target != null) values.push(target);
  const low = Math.min(1, ...values);
  const step = NICE_STEPS.find((s) => (1 - low) / s <= 5) ?? 0.25;
  const lower = Math.max(0, Math.floor((low - step / 2) / step) * step);
  const ticks: number[] = [];
  for (let t = lower; t < 1 - step / 2; t += step) ticks.push(Number(t.toFixed(6)));
  ticks.push(1);
  const percentStep = Number((step * 100).toFixed(6));
  const digits = [0, 1, 2, 3].find((d) => Number(percentStep.toFixed(d)) === percentStep) ?? 3;
  return { ticks, digits };
}

/** How many buckets had something to measure, of how many the range has. */
export function seriesCoverage(points: readonly SeriesPoint[]) {
  return { measured: points.filter((p) => p.value !== null).length, buckets: points.length };
}

const UNIT_WORDS: Record<BucketUnit, [one: string, many: string]> = {
  hour: ["hour", "hours"],
  day: ["day", "days"],
  week: ["week", "weeks"],
};

/**
 * A note under a chart whose range was mostly quiet ("Measured on 3 of 30 days"), so a few
 * points read as a few measurements, not as a broken chart; null when most buckets had data.
 */
export function sparseNote(points: readonly SeriesPoint[], unit: BucketUnit): string | null {
  const { measured, buckets } = seriesCoverage(points);
  if (measured === 0 || measured * 2 > buckets) return null;
  const [one, many] = UNIT_WORDS[unit];
  return `Measured on ${measured.toLocaleString("en-US")} of ${buckets.toLocaleString("en-US")} ${buckets === 1 ? one : many}; the gaps had nothing to measure`;
}

/**
 * Which points have no measured neighbour. A line needs two points, so without a dot such a
 * measurement would not be drawn at all: a day of invoices in a month of none would vanish.
 */
export function isolatedPoints(points: readonly SeriesPoint[]): boolean[] {
  return points.map(
    (p, i) =>
      p.value !== null &&
      (points[i - 1]?.value ?? null) === null &&
      (points[i + 1]?.value ?? null) === null,
  );
}
