"use client";

import { Line, LineChart, Tooltip, YAxis } from "recharts";
import {
  CHART_COLORS,
  SPARKLINE_HEIGHT,
  describeSeries,
  formatBucketLabel,
  tooltipStyle,
  type BucketUnit,
  type SeriesPoint,
} from "./chart-theme";
import { formatValue, type ValueKind } from "@/lib/kpi/tile-value";
import { seriesDot } from "./series-dot";

export interface ChartSparklineKpiProps {
  title: string;
  points: SeriesPoint[];
  /** How the values print (a name, so a server component can choose it). */
  format: ValueKind;
  unit: BucketUnit;
}

/** A tile's trend: the KPI per bucket, gaps where a bucket had nothing to measure. */
export function ChartSparklineKpi({ title, points, format, unit }: ChartSparklineKpiProps) {
  return (
    <div
      role="img"
      aria-label={`${title} per ${unit}: ${describeSeries(points, (v) => formatValue(format, v))}`}
    >
      <LineChart
        responsive
        data={points}
        style={{ width: "100%", height: SPARKLINE_HEIGHT }}
        margin={{ top: 4, right: 2, bottom: 4, left: 2 }}
      >
        <YAxis hide domain={["auto", "auto"]} />
        <Tooltip
          {...tooltipStyle}
          cursor={{ stroke: CHART_COLORS.grid }}
          labelFormatter={(_, payload) => {
            const bucket = payload?.[0]?.payload?.bucket as string | undefined;
            return bucket ? formatBucketLabel(bucket, unit) : "";
          }}
          formatter={(value) => [
            typeof value === "number" ? formatValue(format, value) : "no data",
            title,
          ]}
        />
        <Line
          type="linear"
          dataKey="value"
          stroke={CHART_COLORS.primary}
          strokeWidth={1.75}
          dot={seriesDot(points, { everyPoint: false, radius: 2, color: CHART_COLORS.primary })}
          isAnimationActive={false}
          connectNulls={false}
        />
      </LineChart>
    </div>
  );
}
