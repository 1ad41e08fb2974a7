"use client";

import { CHART_COLORS } from "./chart-theme";
import { TimeSeriesLine, type KpiSeriesProps, type TimeSeriesConfig } from "./time-series-line";

const config: TimeSeriesConfig = {
  label: "Usage completeness",
  color: CHART_COLORS.primary,
  format: "ratio",
  ratio: true,
};

/** Received ÷ expected usage events per bucket, with the target as a dashed line. */
export function ChartLineCompleteness(props: KpiSeriesProps) {
  return <TimeSeriesLine config={config} {...props} />;
}
