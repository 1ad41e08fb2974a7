"use client";

import { Bar, CartesianGrid, ComposedChart, Line, Tooltip, XAxis, YAxis } from "recharts";
import {
  CHART_COLORS,
  axisTick,
  bucketAxis,
  countBars,
  formatBucketLabel,
  gridLines,
  timeSeriesFrame,
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
    <ComposedChart data={data} {...timeSeriesFrame(8)}>
      <CartesianGrid {...gridLines} />
      <XAxis {...bucketAxis(unit, 24)} />
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
      <Bar {...countBars(config)} />
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
