import type { SeriesUnit } from "@/db/queries/kpis";
import type { KpiReport, KpiSummary } from "./engine";

/*
 * A KPI over time: one point per bucket of the range (hour, day or ISO week), as the
 * overview's sparklines and charts draw it.
 */

export type { SeriesUnit };

export interface SeriesPoint {
  /** Bucket start, ISO (UTC), as the KPI engine labels it. */
  bucket: string;
  value: number | null;
}

const STEP_MS: Record<SeriesUnit, number> = {
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
};
/** ISO weeks start on Monday; the epoch was a Thursday, so weeks are counted from 1970-01-05. */
const FIRST_MONDAY_MS = 4 * 86_400_000;

/**
 * Every bucket start of the range, as PostgreSQL's date_trunc labels them, so a chart has a
 * point for every bucket: a gap where one had nothing to measure, not a missing day.
 */
export function bucketStarts(from: Date, to: Date, unit: SeriesUnit): string[] {
  const step = STEP_MS[unit];
  const origin = unit === "week" ? FIRST_MONDAY_MS : 0;
  const starts: string[] = [];
  const first = Math.floor((from.getTime() - origin) / step) * step + origin;
  for (let t = first; t < to.getTime(); t += step) {
    starts.push(new Date(t).toISOString().replace(".000Z", "Z"));
  }
  return starts;
}

/** One point per bucket, null where the report's series has nothing for that bucket. */
export function seriesOf(
  report: KpiReport,
  buckets: string[],
  value: (s: KpiSummary) => number | null,
): SeriesPoint[] {
  const byBucket = new Map(report.series.map((s) => [s.bucket, s]));
  return buckets.map((bucket) => {
    const summary = byBucket.get(bucket);
    return { bucket, value: summary ? value(summary) : null };
  });
}
