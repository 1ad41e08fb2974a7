"use client";

import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from "recharts";
import {
  CHART_COLORS,
  axisTick,
  bucketAxis,
  countBars,
  formatBucketLabel,
  gridLines,
  timeSeriesFrame,
  tooltipStyle,
  type SeriesPoint,
} from "./chart-theme";

const config = { label: "Accepted events", color: CHART_COLORS.primary } as const;

/** Accepted events per UTC day of receipt; a day that sent none is a measured 0, drawn as no bar. */
export function ChartBarEventVolume({ points }: { points: SeriesPoint[] }) {
  return (
    <BarChart data={points} {...timeSeriesFrame(8)}>
      <CartesianGrid {...gridLines} />
      <XAxis {...bucketAxis("day", 16)} />
      <YAxis tick={axisTick} allowDecimals={false} width={72} stroke={CHART_COLORS.grid} />
      <Tooltip
        {...tooltipStyle}
        cursor={{ fill: "var(--surface-2)" }}
        labelFormatter={(b) => formatBucketLabel(String(b), "day")}
        formatter={(value) => [
          typeof value === "number" ? value.toLocaleString("en-US") : "—",
          config.label,
        ]}
      />
      <Bar {...countBars(config)} />
    </BarChart>
  );
}
