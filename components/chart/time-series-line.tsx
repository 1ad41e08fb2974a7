"use client";

import { CartesianGrid, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from "recharts";
import {
  CHART_COLORS,
  axisTick,
  bucketAxis,
  formatBucketLabel,
  gridLines,
  timeSeriesFrame,
  ratioScale,
  tooltipStyle,
  type BucketUnit,
  type SeriesPoint,
} from "./chart-theme";
import { formatValue, type ValueKind } from "@/lib/kpi/tile-value";
import { formatPercent } from "@/lib/format";
import { seriesDot } from "./series-dot";

/** What a line chart of one KPI over time needs to know about its metric. */
export interface TimeSeriesConfig {
  label: string;
  color: string;
  /** How the values print (a name, so a server component can choose it). */
  format: ValueKind;
  /** A ratio: the axis ends at 100% (a nice scale would otherwise run to 105%). */
  ratio?: boolean;
  /**
   * Plot in a coarser unit (hours rather than ms) so the axis gets round ticks; tooltips
   * still print the exact value with `format`.
   */
  axisUnit?: { divisor: number; suffix: string };
}

/** What a chart of one KPI over time is given: its points, their bucket, and the target. */
export interface KpiSeriesProps {
  points: SeriesPoint[];
  unit: BucketUnit;
  target: number | null;
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
  const format = (v: number) => formatValue(config.format, v);
  const divisor = config.axisUnit?.divisor ?? 1;
  const data =
    divisor === 1
      ? points
      : points.map((p) => ({ ...p, value: p.value === null ? null : p.value / divisor }));
  const ratioAxis = config.ratio ? ratioScale(points, target) : null;
  const tick = ratioAxis
    ? (v: number) => formatPercent(v, ratioAxis.digits)
    : config.axisUnit
      ? (v: number) => `${v.toLocaleString("en-US")} ${config.axisUnit!.suffix}`
      : format;
  return (
    <LineChart data={data} {...timeSeriesFrame(18)}>
      <CartesianGrid {...gridLines} />
      <XAxis {...bucketAxis(unit, 24)} />
      <YAxis
        tick={axisTick}
        tickFormatter={tick}
        width={72}
        domain={ratioAxis ? [ratioAxis.ticks[0]!, 1] : ["auto", "auto"]}
        ticks={ratioAxis?.ticks}
        allowDataOverflow={!!ratioAxis}
        stroke={CHART_COLORS.grid}
      />
      <Tooltip
        {...tooltipStyle}
        labelFormatter={(b) => formatBucketLabel(String(b), unit)}
        formatter={(value) => [
          typeof value === "number" ? format(value * divisor) : "no data",
          config.label,
        ]}
      />
      {target != null ? (
        <ReferenceLine
          y={target / divisor}
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
        // Straight segments: a curve through a few points invents values between them.
        type="linear"
        dataKey="value"
        name={config.label}
        stroke={config.color}
        strokeWidth={2}
        dot={seriesDot(points, {
          everyPoint: points.length <= 48,
          radius: 2.5,
          color: config.color,
        })}
        isAnimationActive={false}
        connectNulls={false}
      />
    </LineChart>
  );
}
