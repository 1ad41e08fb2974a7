"use client";

import { CHART_COLORS } from "./chart-theme";
import { TimeSeriesLine, type KpiSeriesProps, type TimeSeriesConfig } from "./time-series-line";

const config: TimeSeriesConfig = {
  label: "ERP first-pass success",
  color: CHART_COLORS.secondary,
  format: "ratio",
  ratio: true,
};

/** Share of postings whose attempt 1 succeeded, per bucket, with the target as a dashed line. */
export function ChartLineFirstPass(props: KpiSeriesProps) {
  return <TimeSeriesLine config={config} {...props} />;
}
