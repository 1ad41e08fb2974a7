"use client";

import { CHART_COLORS } from "./chart-theme";
import { TimeSeriesLine, type KpiSeriesProps, type TimeSeriesConfig } from "./time-series-line";

const config: TimeSeriesConfig = {
  label: "Invoice latency p95",
  color: CHART_COLORS.tertiary,
  format: "duration",
  axisUnit: { divisor: 3_600_000, suffix: "h" },
};

/** p95 of issuedAt − periodEnd per bucket, with the target as a dashed line. */
export function ChartLineInvoiceLatency(props: KpiSeriesProps) {
  return <TimeSeriesLine config={config} {...props} />;
}
