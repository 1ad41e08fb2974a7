"use client";

import { Bar, CartesianGrid, ComposedChart, Line, Tooltip, XAxis, YAxis } from "recharts";
import {
  CHART_COLORS,
  TIME_SERIES_HEIGHT,
  axisTick,
  formatBucketLabel,
  formatBucketTick,
  tooltipStyle,
  type BucketUnit,
  type SeriesPoint,
} from "./chart-theme";

const config = { label: "Reconciliation breaks", color: CHART_COLORS.tertiary } as const;

/**
 * Breaks per bucket (by the result's periodEnd). A bucket whose results all agreed gets a
 * dot on the baseline, a measured zero; a bucket with no result gets nothing, so "no break"
 * and "nothing reconciled" never look the same.
 */
export function ChartBarBreaks({ points, unit }: { points: SeriesPoint[]; unit: BucketUnit }) {
  const data = points.map((p) => ({ ...p, measuredZero: p.value === 0 ? 0 : null }));
  return (
    <ComposedChart
      responsive
      data={data}
      style={{ width: "100%", height: TIME_SERIES_HEIGHT }}
      margin={{ top: 8, right: 12, bottom: 0, left: 0 }}
    >
      <CartesianGrid stroke={CHART_COLORS.grid} strokeDasharray="3 3" vertical={false} />
      <XAxis
        dataKey="bucket"
        tick={axisTick}
        tickFormatter={(b: string) => formatBucketTick(b, unit)}
        minTickGap={24}
        stroke={CHART_COLORS.grid}
      />
      <YAxis
        tick={axisTick}
        allowDecimals={false}
        width={72}
        domain={[0, (max: number) => Math.max(1, max)]}
        stroke={CHART_COLORS.grid}
      />
      <Tooltip
        {...tooltipStyle}
        cursor={{ fill: "var(--surface-2)" }}
        labelFormatter={(b) => formatBucketLabel(String(b), unit)}
        formatter={(value) => [
          typeof value === "number" ? value.toLocaleString("en-US") : "no results",
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
      <Line
        dataKey="measuredZero"
        name="No break"
        stroke="none"
        dot={{ r: 3, fill: CHART_COLORS.target, stroke: CHART_COLORS.target }}
        activeDot={false}
        tooltipType="none"
        legendType="none"
        isAnimationActive={false}
        connectNulls={false}
      />
    </ComposedChart>
  );
}
