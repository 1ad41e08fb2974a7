import { sql, type SQL } from "drizzle-orm";
import type { KpiScope } from "./kpis";

/*
 * The daily KPI tables (event_lag_days, usage_completeness_days) answer for whole UTC days;
 * the part-days at either end of a range come from the rows themselves.
 */

const DAY_MS = 86_400_000;

export interface DaySplit {
  /** The whole UTC days [first, last) inside the range, as SQL dates; null when none is used. */
  days: { first: SQL; last: SQL; from: Date; to: Date } | null;
  /** The time range before the first whole day (the whole range when there is none). */
  head: [Date, Date] | null;
  /**
   * The part-day after the last whole day. When nothing at all lies at or after `to` (the
   * usual "up to now" range) that day's row in the daily table holds exactly this part of
   * it; the caller decides which to read inside its statement, so in its snapshot.
   */
  tail: { from: Date; to: Date; day: SQL } | null;
}

export const timestamptz = (d: Date) => sql`${d.toISOString()}::timestamptz`;
const date = (d: Date) => sql`${d.toISOString().slice(0, 10)}::date`;

/** Splits a scope into whole days (if `allowDays` and there are any) and the rest. */
export function splitWholeDays(scope: KpiScope, allowDays: boolean): DaySplit {
  const first = new Date(Math.ceil(scope.from.getTime() / DAY_MS) * DAY_MS);
  const last = new Date(Math.floor(scope.to.getTime() / DAY_MS) * DAY_MS);
  if (!allowDays || first >= last) {
    return { days: null, head: scope.from < scope.to ? [scope.from, scope.to] : null, tail: null };
  }
  return {
    days: { first: date(first), last: date(last), from: first, to: last },
    head: scope.from < first ? [scope.from, first] : null,
    tail: last < scope.to ? { from: last, to: scope.to, day: date(last) } : null,
  };
}
