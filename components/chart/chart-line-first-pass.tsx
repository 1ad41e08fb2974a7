"use client";

import { CHART_COLORS, type BucketUnit, type SeriesPoint } from "./chart-theme";
import { TimeSeriesLine, type TimeSeriesConfig } from "./time-series-line";

const config: TimeSeriesConfig = {
  label: "ERP first-pass success",
  color: CHART_COLORS.secondary,
  format: "ratio",
  ratio: true,
};

/** Share of postings whose attempt 1 succeeded, per bucket, with the target as a dashed line. */
export function ChartLineFirstPass({
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
