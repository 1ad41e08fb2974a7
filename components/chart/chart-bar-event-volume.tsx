"use client";

import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from "recharts";
import { CHART_COLORS, countChart, type SeriesPoint } from "./chart-theme";

const config = { label: "Accepted events", color: CHART_COLORS.primary } as const;

/** Accepted events per UTC day of receipt; a day that sent none is a measured 0, drawn as no bar. */
export function ChartBarEventVolume({ points }: { points: SeriesPoint[] }) {
  const chart = countChart(config, "day", { minTickGap: 16, missing: "—" });
  return (
    <BarChart data={points} {...chart.frame}>
      <CartesianGrid {...chart.grid} />
      <XAxis {...chart.xAxis} />
      <YAxis {...chart.yAxis} />
      <Tooltip {...chart.tooltip} />
      <Bar {...chart.bar} />
    </BarChart>
  );
}
