"use client";

import { CHART_COLORS, type BucketUnit, type SeriesPoint } from "./chart-theme";
import { TimeSeriesLine, type TimeSeriesConfig } from "./time-series-line";

const config: TimeSeriesConfig = {
  label: "Invoice latency p95",
  color: CHART_COLORS.tertiary,
  format: "duration",
  axisUnit: { divisor: 3_600_000, suffix: "h" },
};

/** p95 of issuedAt − periodEnd per bucket, with the target as a dashed line. */
export function ChartLineInvoiceLatency({
  points,
  unit,
  target,
}: {
  points: SeriesPoint[];
  unit: BucketUnit;
  target: number | null;
}) {
  return <TimeSeriesLine config={config} points={points} unit={unit} target={target} />;
}
