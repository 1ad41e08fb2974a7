"use client";

import { CartesianGrid, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from "recharts";
import {
  CHART_COLORS,
  TIME_SERIES_HEIGHT,
  axisTick,
  formatBucketLabel,
  formatBucketTick,
  formatChartValue,
  tooltipStyle,
  type BucketUnit,
  type SeriesPoint,
  type ValueFormat,
} from "./chart-theme";

/** What a line chart of one KPI over time needs to know about its metric. */
export interface TimeSeriesConfig {
  label: string;
  color: string;
  format: ValueFormat;
  /** Fixed y range, e.g. ratios that should not be zoomed into noise; auto otherwise. */
  domain?: [number | "auto" | "dataMin" | "dataMax", number | "auto" | "dataMin" | "dataMax"];
}

export function TimeSeriesLine({
  config,
  points,
  unit,
  target,
}: {
  config: TimeSeriesConfig;
  points: SeriesPoint[];
  unit: BucketUnit;
  target?: number | null;
}) {
  const format = (v: number) => formatChartValue(config.format, v);
  return (
    <LineChart
      responsive
      data={points}
      style={{ width: "100%", height: TIME_SERIES_HEIGHT }}
      margin={{ top: 18, right: 12, bottom: 0, left: 0 }}
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
        tickFormatter={format}
        width={72}
        domain={config.domain ?? ["auto", "auto"]}
        stroke={CHART_COLORS.grid}
      />
      <Tooltip
        {...tooltipStyle}
        labelFormatter={(b) => formatBucketLabel(String(b), unit)}
        formatter={(value) => [typeof value === "number" ? format(value) : "no data", config.label]}
      />
      {target != null ? (
        <ReferenceLine
          y={target}
          stroke={CHART_COLORS.target}
          strokeDasharray="6 4"
          ifOverflow="extendDomain"
          label={{
            value: `target ${format(target)}`,
            position: "insideBottomRight",
            fill: CHART_COLORS.axis,
            fontSize: 12,
          }}
        />
      ) : null}
      <Line
        type="monotone"
        dataKey="value"
        name={config.label}
        stroke={config.color}
        strokeWidth={2}
        dot={points.length <= 48 ? { r: 2 } : false}
        isAnimationActive={false}
        connectNulls={false}
      />
    </LineChart>
  );
}
