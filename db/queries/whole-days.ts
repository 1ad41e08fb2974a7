import "server-only";
import { sql, type SQL } from "drizzle-orm";
import type { KpiScope } from "./kpi-scope";

/*
 * The daily KPI tables (event_lag_days, usage_completeness_days) answer for whole UTC days.
 * A range's part-days at either end are read either from the rows themselves, or as the
 * day's row minus the rows of the rest of that day, whichever means fewer rows: a month up
 * to the next full hour starts 23 hours into a day, and reading those 23 hours of events or
 * checkpoints cost more than the 29 whole days before (at 50 M rows: ~60,000 a day). Both
 * readings are the same sums; the caller reads them in one statement, so in one snapshot.
 */

const DAY_MS = 86_400_000;

export const timestamptz = (d: Date) => sql`${d.toISOString()}::timestamptz`;
const date = (d: Date) => sql`${d.toISOString().slice(0, 10)}::date`;

/** A part of one UTC day inside the range (or, without whole days, the whole range). */
export interface PartDay {
  from: Date;
  to: Date;
  /**
   * Read it as the day's row (`day`) minus the rows of `minus`, the rest of that day; null:
   * read its own rows.
   */
  viaDay: { day: SQL; minus: [Date, Date][] } | null;
}

export interface DaySplit {
  /** The whole UTC days [first, last) inside the range, as SQL dates; null when none is used. */
  days: { first: SQL; last: SQL; from: Date; to: Date } | null;
  /** The part-days before and after the whole days (at most two). */
  parts: PartDay[];
}

/**
 * How many rows a time range is likely to hold, as its length up to `now`: nothing is
 * received or reported in the future, so a day's rest after a range ending "now" is empty.
 */
function expectedSpan([from, to]: [Date, Date], now: Date): number {
  return Math.max(0, Math.min(to.getTime(), now.getTime()) - from.getTime());
}

function partDay(from: Date, to: Date, now: Date): PartDay {
  const dayStart = new Date(Math.floor(from.getTime() / DAY_MS) * DAY_MS);
  const dayEnd = new Date(dayStart.getTime() + DAY_MS);
  const rest = (
    [
      [dayStart, from],
      [to, dayEnd],
    ] as [Date, Date][]
  ).filter(([a, b]) => a < b);
  const restSpan = rest.reduce((sum, range) => sum + expectedSpan(range, now), 0);
  return {
    from,
    to,
    viaDay: restSpan < expectedSpan([from, to], now) ? { day: date(dayStart), minus: rest } : null,
  };
}

/**
 * The SQL row sources for some part-days: a part's own rows (`own`, sign 1), or its day's
 * row (`dayRow`) and the rows of the rest of that day taken away (`own`, sign -1).
 */
export function partDayRows(
  parts: PartDay[],
  own: (range: [Date, Date], sign: 1 | -1) => SQL,
  dayRow: (day: SQL) => SQL,
): SQL[] {
  return parts.flatMap((part) =>
    part.viaDay
      ? [dayRow(part.viaDay.day), ...part.viaDay.minus.map((rest) => own(rest, -1))]
      : [own([part.from, part.to], 1)],
  );
}

/**
 * Splits a scope into whole days and part-days (if `allowDays`), or leaves it one range read
 * row by row. `now` only steers which reading of a part-day is cheaper.
 */
export function splitWholeDays(scope: KpiScope, allowDays: boolean, now = new Date()): DaySplit {
  if (scope.from >= scope.to) return { days: null, parts: [] };
  if (!allowDays) return { days: null, parts: [{ from: scope.from, to: scope.to, viaDay: null }] };
  const first = new Date(Math.ceil(scope.from.getTime() / DAY_MS) * DAY_MS);
  const last = new Date(Math.floor(scope.to.getTime() / DAY_MS) * DAY_MS);
  // Inside one day: one part.
  if (first > last) return { days: null, parts: [partDay(scope.from, scope.to, now)] };
  const parts: PartDay[] = [];
  if (scope.from < first) parts.push(partDay(scope.from, first, now));
  if (last < scope.to) parts.push(partDay(last, scope.to, now));
  return {
    days: first < last ? { first: date(first), last: date(last), from: first, to: last } : null,
    parts,
  };
}
