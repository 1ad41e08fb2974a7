"use client";

import { CHART_COLORS, type BucketUnit, type SeriesPoint } from "./chart-theme";
import { TimeSeriesLine, type TimeSeriesConfig } from "./time-series-line";

const config: TimeSeriesConfig = {
  label: "Usage completeness",
  color: CHART_COLORS.primary,
  format: "ratio",
  ratio: true,
};

/** Received ÷ expected usage events per bucket, with the target as a dashed line. */
export function ChartLineCompleteness({
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
