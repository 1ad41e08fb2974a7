"use client";

import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from "recharts";
import {
  CHART_COLORS,
  TIME_SERIES_HEIGHT,
  axisTick,
  formatBucketLabel,
  formatBucketTick,
  tooltipStyle,
  type SeriesPoint,
} from "./chart-theme";

const config = { label: "Accepted events", color: CHART_COLORS.primary } as const;

/** Accepted events per UTC day of receipt; a day that sent none is a measured 0, drawn as no bar. */
export function ChartBarEventVolume({ points }: { points: SeriesPoint[] }) {
  return (
    <BarChart
      responsive
      data={points}
      style={{ width: "100%", height: TIME_SERIES_HEIGHT }}
      margin={{ top: 8, right: 12, bottom: 0, left: 0 }}
    >
      <CartesianGrid stroke={CHART_COLORS.grid} strokeDasharray="3 3" vertical={false} />
      <XAxis
        dataKey="bucket"
        tick={axisTick}
        tickFormatter={(b: string) => formatBucketTick(b, "day")}
        minTickGap={16}
        stroke={CHART_COLORS.grid}
      />
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
      <Bar
        dataKey="value"
        name={config.label}
        fill={config.color}
        isAnimationActive={false}
        maxBarSize={28}
      />
    </BarChart>
  );
}
