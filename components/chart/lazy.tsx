"use client";

import dynamic from "next/dynamic";
import { SPARKLINE_HEIGHT, TIME_SERIES_HEIGHT } from "./chart-theme";

/*
 * The charts as client islands loaded after the page: recharts is most of the overview's
 * JavaScript, and the tiles' numbers (the largest paint) must not wait for it. Each
 * placeholder has the chart's exact height, so nothing moves when a chart arrives.
 */

function placeholder(height: number) {
  function ChartPlaceholder() {
    return <div className="skeleton" style={{ height }} aria-hidden="true" />;
  }
  return ChartPlaceholder;
}

export const LazyChartSparklineKpi = dynamic(
  () => import("./chart-sparkline-kpi").then((m) => m.ChartSparklineKpi),
  { ssr: false, loading: placeholder(SPARKLINE_HEIGHT) },
);

export const LazyChartLineCompleteness = dynamic(
  () => import("./chart-line-completeness").then((m) => m.ChartLineCompleteness),
  { ssr: false, loading: placeholder(TIME_SERIES_HEIGHT) },
);

export const LazyChartLineInvoiceLatency = dynamic(
  () => import("./chart-line-invoice-latency").then((m) => m.ChartLineInvoiceLatency),
  { ssr: false, loading: placeholder(TIME_SERIES_HEIGHT) },
);

export const LazyChartLineFirstPass = dynamic(
  () => import("./chart-line-first-pass").then((m) => m.ChartLineFirstPass),
  { ssr: false, loading: placeholder(TIME_SERIES_HEIGHT) },
);

export const LazyChartBarBreaks = dynamic(
  () => import("./chart-bar-breaks").then((m) => m.ChartBarBreaks),
  { ssr: false, loading: placeholder(TIME_SERIES_HEIGHT) },
);
