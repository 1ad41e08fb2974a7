import "server-only";
import { sql, type SQL } from "drizzle-orm";
import type { KpiScope } from "./kpis";
import { splitWholeDays } from "./whole-days";

/*
 * A range's sums from a daily rollup and its monthly one (event_lag_days / event_lag_months,
 * usage_completeness_days / usage_completeness_months): which month rows to add, which day
 * rows to add or take away, and which raw ranges to read row by row, added or taken away.
 *
 * Start from the whole days and part-days of splitWholeDays. Then each calendar month that
 * has days to add is read either as those days, or as its month row less the month's other
 * days, whichever means fewer rows: the last 30 days up to now are most of this month (read
 * as the month less its days still to come, which hold nothing) plus a few days of the last
 * one. At 50 M rows that is ~2,500 keys a day per rollup: 6 days' rows instead of 30.
 *
 * Every reading gives the same sums: a month row is the sum of its days' rows, kept in the
 * same statement by triggers (migration 0023). The caller reads all of them in one statement.
 */

const DAY_MS = 86_400_000;

/** Consecutive UTC days [first, last) as ISO dates. */
export interface DayRun {
  first: string;
  last: string;
}

export interface RollupReads {
  /** Month rows to add, each as the ISO date of its first day. */
  months: string[];
  /** Day rows to add. */
  addDays: DayRun[];
  /** Day rows to take away (the rest of a month read as a month). */
  subtractDays: DayRun[];
  /** Ranges read row by row, added (1) or taken away (-1). */
  raw: { range: [Date, Date]; sign: 1 | -1 }[];
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dayStart = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

function monthBounds(ms: number): [number, number] {
  const d = new Date(ms);
  return [
    Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1),
    Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1),
  ];
}

/** Sorted day starts as runs of consecutive days. */
function runsOf(days: number[]): DayRun[] {
  const runs: DayRun[] = [];
  let start: number | null = null;
  let previous = 0;
  for (const day of [...days].sort((a, b) => a - b)) {
    if (start !== null && day === previous + DAY_MS) {
      previous = day;
      continue;
    }
    if (start !== null) runs.push({ first: isoDay(start), last: isoDay(previous + DAY_MS) });
    start = previous = day;
  }
  if (start !== null) runs.push({ first: isoDay(start), last: isoDay(previous + DAY_MS) });
  return runs;
}

/**
 * The reads that sum to `scope` (see above). `now` only steers which reading is cheaper: a
 * day that has not begun holds no rows yet, so taking it away costs nothing. Without
 * `withMonths` (a daily table with no monthly one), days and raw ranges only.
 */
export function planRollupReads(scope: KpiScope, now = new Date(), withMonths = true): RollupReads {
  const { days, parts } = splitWholeDays(scope, true, now);
  const added = new Set<number>();
  const raw: RollupReads["raw"] = [];
  if (days) {
    for (let day = days.from.getTime(); day < days.to.getTime(); day += DAY_MS) added.add(day);
  }
  for (const part of parts) {
    if (part.viaDay) {
      added.add(dayStart(part.from.getTime()));
      for (const rest of part.viaDay.minus) raw.push({ range: rest, sign: -1 });
    } else {
      raw.push({ range: [part.from, part.to], sign: 1 });
    }
  }

  const begun = (day: number) => day < now.getTime();
  const months: string[] = [];
  const subtracted: number[] = [];
  const byMonth = new Map<number, number[]>();
  for (const day of added) {
    const [month] = monthBounds(day);
    byMonth.set(month, [...(byMonth.get(month) ?? []), day]);
  }
  for (const [month, monthDays] of withMonths ? byMonth : []) {
    const [, end] = monthBounds(month);
    const others: number[] = [];
    for (let day = month; day < end; day += DAY_MS) if (!added.has(day)) others.push(day);
    const asDays = monthDays.filter(begun).length;
    const asMonth = 1 + others.filter(begun).length;
    if (asMonth < asDays) {
      months.push(isoDay(month));
      for (const day of monthDays) added.delete(day);
      subtracted.push(...others);
    }
  }
  return {
    months: months.sort(),
    addDays: runsOf([...added]),
    subtractDays: runsOf(subtracted),
    raw,
  };
}

/** How a rollup's rows are read: each callback returns one SELECT of the caller's columns. */
export interface RollupSources {
  /** The raw rows of a range, their sums negated when `sign` is -1. */
  raw: (range: [Date, Date], sign: 1 | -1) => SQL;
  /** The day rows of [first, last) (ISO dates as SQL), negated when `sign` is -1. */
  days: (first: SQL, last: SQL, sign: 1 | -1) => SQL;
  /** The month rows of these months (an SQL date[]). */
  months: (months: SQL) => SQL;
}

/** The SELECTs a plan needs, to be joined with UNION ALL (none for an empty range). */
export function rollupReadRows(plan: RollupReads, sources: RollupSources): SQL[] {
  const date = (iso: string) => sql`${iso}::date`;
  const rows: SQL[] = [];
  if (plan.months.length > 0)
    rows.push(sources.months(sql`${`{${plan.months.join(",")}}`}::date[]`));
  for (const run of plan.addDays) rows.push(sources.days(date(run.first), date(run.last), 1));
  for (const run of plan.subtractDays) rows.push(sources.days(date(run.first), date(run.last), -1));
  for (const { range, sign } of plan.raw) rows.push(sources.raw(range, sign));
  return rows;
}

/** The rows as one parenthesised UNION ALL, or `empty` (a row-less SELECT of the same columns). */
export function unionAll(rows: SQL[], empty: SQL): SQL {
  return rows.length === 0 ? empty : sql`(${sql.join(rows, sql` union all `)})`;
}
