import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { groupingSets } from "./kpi-grouping";
import { entityIs, type GroupSet, type KpiGrouping, type KpiScope } from "./kpis";
import { planRollupReads, rollupReadRows, unionAll } from "./rollup-reads";
import { partDayRows, splitWholeDays, timestamptz } from "./whole-days";

/*
 * Step 1 of the event lag percentiles (./event-lag.ts): the lag histogram of every group,
 * summed in the database, which returns only the buckets holding a rank percentile_cont needs.
 */

const HOUR_MS = 3_600_000;
export const QUANTILES = [0.5, 0.95] as const;

export interface SpanRow {
  set: GroupSet;
  g: string | null;
  bucket: number;
  n: string | number;
  before: string | number;
  total: string | number;
}

/** The scope's events in a range, one histogram row each (`sign` -1: taken away). */
function rawEventsIn(scope: KpiScope, [from, to]: [Date, Date], sign: 1 | -1): SQL {
  return sql`
    select e.received_at, e.entity, e.lag_bucket as bucket, ${sql.raw(String(sign))}::bigint as n
    from events e
    where e.received_at >= ${timestamptz(from)} and e.received_at < ${timestamptz(to)}
      ${entityIs(sql`e.entity`, scope)}`;
}

/**
 * The scope's events in a range as histogram rows: its whole UTC hours from event_lag_hours
 * (a row standing for its hour's events at the hour's start, so in the same hour and day
 * bucket), the minutes before and after them event by event.
 */
function eventsIn(scope: KpiScope, [from, to]: [Date, Date], sign: 1 | -1): SQL {
  const first = Math.ceil(from.getTime() / HOUR_MS) * HOUR_MS;
  const last = Math.floor(to.getTime() / HOUR_MS) * HOUR_MS;
  if (first >= last) return rawEventsIn(scope, [from, to], sign);
  const rows = [
    sql`select h.hour as received_at, nullif(h.entity, '') as entity, h.bucket,
        ${sign === 1 ? sql`h.events` : sql`-h.events`} as n
      from event_lag_hours h
      where h.hour >= ${timestamptz(new Date(first))} and h.hour < ${timestamptz(new Date(last))}
        ${entityIs(sql`h.entity`, scope)}`,
  ];
  if (from.getTime() < first) rows.push(rawEventsIn(scope, [from, new Date(first)], sign));
  if (last < to.getTime()) rows.push(rawEventsIn(scope, [new Date(last), to], sign));
  return sql.join(rows, sql` union all `);
}

/** Rows of a histogram table (`day` or `month` keyed), at the period's first instant. */
function histogramOf(
  scope: KpiScope,
  table: "event_lag_days" | "event_lag_months",
  which: SQL,
  sign: 1 | -1,
): SQL {
  const period = table === "event_lag_months" ? sql`d.month` : sql`d.day`;
  return sql`
    select (${period}::timestamp at time zone 'UTC') as received_at, nullif(d.entity, '') as entity,
      d.bucket, ${sign === 1 ? sql`d.events` : sql`-d.events`} as n
    from ${sql.raw(table)} d
    where ${which} ${entityIs(sql`d.entity`, scope)}`;
}

const NO_ROWS = sql`(select null::timestamptz as received_at, null::text as entity, 0 as bucket,
  0::bigint as n where false)`;

const unionOf = (rows: SQL[]) => unionAll(rows, NO_ROWS);

/**
 * The events of the scope as (received_at, entity, bucket, n): a histogram row stands for
 * n events of its day (or month) at its first instant (same UTC day, so same day bucket, for
 * a day row). Without a series, most of a month is read from event_lag_months
 * (db/queries/rollup-reads.ts). An hourly series cannot use the day rows: its range is read
 * as hours and minutes (eventsIn).
 */
function histogramRows(scope: KpiScope, grouping: KpiGrouping, onlyDays?: string[]): SQL {
  const events = (range: [Date, Date], sign: 1 | -1) => eventsIn(scope, range, sign);
  if (!grouping.sets.includes("bucket")) {
    return unionOf(
      rollupReadRows(planRollupReads(scope), {
        raw: events,
        days: (first, last, sign) =>
          histogramOf(scope, "event_lag_days", sql`d.day >= ${first} and d.day < ${last}`, sign),
        months: (months) =>
          histogramOf(scope, "event_lag_months", sql`d.month = any(${months})`, 1),
      }),
    );
  }
  const hourly = grouping.unit === "hour";
  const { days, parts } = splitWholeDays(scope, !hourly);
  const daysWhere = (which: SQL) => histogramOf(scope, "event_lag_days", which, 1);
  const rows: SQL[] = [];
  if (days && onlyDays?.length !== 0) {
    rows.push(
      daysWhere(
        onlyDays
          ? sql`d.day = any(${`{${onlyDays.join(",")}}`}::date[])`
          : sql`d.day >= ${days.first} and d.day < ${days.last}`,
      ),
    );
  }
  rows.push(...partDayRows(parts, events, (day) => daysWhere(sql`d.day = ${day}`)));
  return unionOf(rows);
}

/**
 * For every group: the buckets that hold a rank the quantiles need, with their place. With
 * `onlyDays`, of the whole days only those (the series' days not already stored).
 */
export function spansQuery(scope: KpiScope, grouping: KpiGrouping, onlyDays?: string[]): SQL {
  const g = groupingSets(grouping, sql`h.received_at`, sql`h.entity`);
  const quantiles = sql.raw(`array[${QUANTILES.join(", ")}]::float8[]`);
  return sql`
    with counts as (
      select ${g.columns}, h.bucket, sum(h.n) as n
      from ${histogramRows(scope, grouping, onlyDays)} h
      group by h.bucket, ${g.groupBy}
      -- A part-day read as its day minus the rest leaves buckets that cancel out.
      having sum(h.n) > 0
    ), placed as (
      select c.*, sum(c.n) over (partition by c.set, c.g order by c.bucket) - c.n as before,
        sum(c.n) over (partition by c.set, c.g) as total
      from counts c
      -- Events naming no entity belong to no entity's row.
      where not (c.set = 'entity' and c.g is null)
    )
    select p.set, p.g, p.bucket, p.n, p.before, p.total from placed p
    where exists (select 1 from unnest(${quantiles}) q
      where floor(q * (p.total - 1)::float8) < p.before + p.n and ceil(q * (p.total - 1)::float8) >= p.before)
    order by p.set, p.g, p.bucket`;
}
