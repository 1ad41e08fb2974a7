"use client";

import { Bar, CartesianGrid, ComposedChart, Line, Tooltip, XAxis, YAxis } from "recharts";
import { CHART_COLORS, countChart, type BucketUnit, type SeriesPoint } from "./chart-theme";

const config = { label: "Reconciliation breaks", color: CHART_COLORS.tertiary } as const;

/**
 * Breaks per bucket (by the result's periodEnd). A bucket whose results all agreed gets a
 * dot on the baseline, a measured zero; a bucket with no result gets nothing, so "no break"
 * and "nothing reconciled" never look the same.
 */
export function ChartBarBreaks({ points, unit }: { points: SeriesPoint[]; unit: BucketUnit }) {
  const data = points.map((p) => ({ ...p, measuredZero: p.value === 0 ? 0 : null }));
  const chart = countChart(config, unit, { minTickGap: 24, missing: "no results" });
  return (
    <ComposedChart data={data} {...chart.frame}>
      <CartesianGrid {...chart.grid} />
      <XAxis {...chart.xAxis} />
      {/* At least 1 on the axis, so a range of measured zeros draws its baseline. */}
      <YAxis {...chart.yAxis} domain={[0, (max: number) => Math.max(1, max)]} />
      <Tooltip {...chart.tooltip} />
      <Bar {...chart.bar} />
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
