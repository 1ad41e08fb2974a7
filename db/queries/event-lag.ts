import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { planPercentiles } from "@/lib/kpi/exact-percentile";
import type { Db } from "../client";
import { queryRows } from "../rows";
import { groupingSets } from "./kpi-grouping";
import {
  entityIs,
  type GroupSet,
  type KpiGrouping,
  type KpiScope,
  type PercentileRow,
} from "./kpis";
import { planRollupReads, rollupReadRows, unionAll } from "./rollup-reads";
import { partDayRows, splitWholeDays, timestamptz } from "./whole-days";

/*
 * Event lag p50/p95 (received_at − time, for events received in the range), exact, without
 * sorting every event of the range. Over a month that is ~450,000 events per group; instead:
 *
 * 1. The lag histogram of every group: whole UTC days from event_lag_days (kept by
 *    triggers, migration 0013) or most of a month from event_lag_months (0023), the
 *    part-days at either end as whole hours (event_lag_hours, 0024) and minutes from the
 *    events index (or as their day's histogram minus the rest of that day,
 *    db/queries/whole-days.ts). The database sums it per group and
 *    bucket, places each bucket in the sorted order (cumulative counts) and returns only the
 *    buckets holding a rank percentile_cont needs.
 * 2. planPercentiles turns those into lookups: the few values around each rank in their
 *    bucket. The bucket's 8 fine buckets (event_lag_fine_days, 0024) place those ranks in
 *    one fine bucket (or two), whose values alone are read, through events_lag_fine_idx,
 *    then interpolated as percentile_cont.
 *
 * All steps read one snapshot (a REPEATABLE READ transaction), so an ingest committing in
 * between cannot shift a rank.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const UNIT_MS: Record<KpiGrouping["unit"], number> = {
  hour: HOUR_MS,
  day: DAY_MS,
  week: 7 * DAY_MS,
};
const QUANTILES = [0.5, 0.95] as const;

interface SpanRow {
  set: GroupSet;
  g: string | null;
  bucket: number;
  n: string | number;
  before: string | number;
  total: string | number;
}

/** The time window and entity whose events a group's percentiles are over. */
interface GroupWindow {
  from: Date;
  to: Date;
  entity: string | null;
}

function windowOf(g: string | null, set: GroupSet, unit: KpiGrouping["unit"], scope: KpiScope) {
  if (set === "bucket" && g !== null) {
    const start = new Date(g);
    const end = new Date(start.getTime() + UNIT_MS[unit]);
    return {
      from: start > scope.from ? start : scope.from,
      to: end < scope.to ? end : scope.to,
      entity: scope.entity,
    };
  }
  if (set === "entity") return { from: scope.from, to: scope.to, entity: g };
  return { from: scope.from, to: scope.to, entity: scope.entity };
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
function spansQuery(scope: KpiScope, grouping: KpiGrouping, onlyDays?: string[]): SQL {
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

interface LookupRequest {
  i: number;
  bucket: number;
  from: string;
  to: string;
  entity: string | null;
  offset: number;
  limit: number;
}

/**
 * Where a request's fine counts come from (event_lag_fine_days has no monthly table): whole
 * UTC days, and its part-days either raw or as their day less the rest of it, whichever
 * spans less time up to now, as for the histogram (db/queries/rollup-reads.ts).
 */
function fineCountSources(request: LookupRequest) {
  const window = { from: new Date(request.from), to: new Date(request.to), entity: null };
  const plan = planRollupReads(window, new Date(), false);
  return {
    days: plan.addDays.map(({ first, last }) => ({ from: first, to: last, sign: 1 })),
    raw: plan.raw.map(({ range: [from, to], sign }) => ({
      from: from.toISOString(),
      to: to.toISOString(),
      sign,
    })),
  };
}

/** The 8 fine buckets of a bucket (migration 0024: fine >> 3 is the bucket). */
const FINE_OF = (bucket: SQL) =>
  sql`array(select generate_series(${bucket} * 8, ${bucket} * 8 + 7))`;
const FINE = sql`closeline_lag_fine_bucket(e.lag_ms)`;

/**
 * The values of each request, ascending, in request order. A request names a bucket, its
 * window and entity, and the ranks it wants in it (offset, limit). First the counts of the
 * bucket's 8 fine buckets in the window (whole days from event_lag_fine_days, the ends from
 * the events), which place those ranks in one or two fine buckets; then only their values,
 * through events_lag_fine_idx.
 */
async function lookUpValues(db: Db, requests: LookupRequest[]): Promise<number[][]> {
  const values = requests.map(() => [] as number[]);
  if (requests.length === 0) return values;

  const counted = requests.map((r) => ({
    i: r.i,
    bucket: r.bucket,
    entity: r.entity,
    ...fineCountSources(r),
  }));
  const counts = await queryRows<{ i: number; fine: number; n: string | number }>(
    db,
    sql`select r.i, c.fine, sum(c.n) as n
        from jsonb_to_recordset(${JSON.stringify(counted)}::jsonb)
          as r(i int, bucket int, entity text, days jsonb, raw jsonb)
        cross join lateral (
          -- Each range its own index range (lateral, OFFSET 0): as a join, the planner read
          -- every day of the fine buckets and filtered by the range.
          select d.fine, w.sign * d.events as n
          from jsonb_to_recordset(r.days) as w("from" date, "to" date, sign int)
          cross join lateral (
            select d.fine, d.events from event_lag_fine_days d
            where d.fine = any(${FINE_OF(sql`r.bucket`)}) and d.day >= w."from" and d.day < w."to"
              and (r.entity is null or d.entity = r.entity)
            offset 0
          ) d
          union all
          select e.fine, w.sign
          from jsonb_to_recordset(r.raw) as w("from" timestamptz, "to" timestamptz, sign int)
          cross join lateral (
            select ${FINE} as fine from events e
            where ${FINE} = any(${FINE_OF(sql`r.bucket`)})
              and e.received_at >= w."from" and e.received_at < w."to"
              and (r.entity is null or e.entity = r.entity)
            offset 0
          ) e
        ) c
        group by r.i, c.fine
        -- A part-day read as its day less the rest leaves fine buckets that cancel out.
        having sum(c.n) <> 0
        order by r.i, c.fine`,
  );

  // Each request's ranks, placed in the fine buckets holding them.
  const byRequest = new Map<number, { fine: number; n: number }[]>();
  for (const c of counts) {
    byRequest.set(c.i, [...(byRequest.get(c.i) ?? []), { fine: c.fine, n: Number(c.n) }]);
  }
  const fineLookups: {
    i: number;
    fine: number;
    from: string;
    to: string;
    entity: string | null;
    offset: number;
    limit: number;
  }[] = [];
  for (const r of requests) {
    let before = 0;
    const wantedFrom = r.offset;
    const wantedTo = r.offset + r.limit;
    for (const { fine, n } of byRequest.get(r.i) ?? []) {
      const from = Math.max(wantedFrom, before);
      const to = Math.min(wantedTo, before + n);
      if (from < to) {
        fineLookups.push({
          i: r.i,
          fine,
          from: r.from,
          to: r.to,
          entity: r.entity,
          offset: from - before,
          limit: to - from,
        });
      }
      before += n;
    }
  }

  const rows = await queryRows<{ i: number; lag_ms: number | string }>(
    db,
    sql`select r.i, v.lag_ms
        from jsonb_to_recordset(${JSON.stringify(fineLookups)}::jsonb)
          as r(i int, fine int, "from" timestamptz, "to" timestamptz, entity text, "offset" int, "limit" int)
        cross join lateral (
          select e.lag_ms from events e
          where ${FINE} = r.fine and e.received_at >= r."from" and e.received_at < r."to"
            and (r.entity is null or e.entity = r.entity)
          order by e.lag_ms offset r."offset" limit r."limit"
        ) v
        order by r.i, r.fine, v.lag_ms`,
  );
  for (const row of rows) values[row.i]!.push(Number(row.lag_ms));
  return values;
}

/** One computed group's lookups, and where they start in the batch of all lookups. */
interface GroupPlan {
  set: GroupSet;
  g: string | null;
  plan: ReturnType<typeof planPercentiles>;
  first: number;
}

/** Plans every group of some span rows, appending their lookups to `requests`. */
function planGroups(
  spans: SpanRow[],
  scope: KpiScope,
  unit: KpiGrouping["unit"],
  requests: LookupRequest[],
): GroupPlan[] {
  const groups = new Map<string, { set: GroupSet; g: string | null; rows: SpanRow[] }>();
  for (const row of spans) {
    const key = `${row.set}\u0000${row.g ?? ""}`;
    const group = groups.get(key) ?? { set: row.set, g: row.g, rows: [] };
    group.rows.push(row);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ set, g, rows }) => {
    const plan = planPercentiles(
      rows.map((r) => ({ bucket: r.bucket, count: Number(r.n), before: Number(r.before) })),
      Number(rows[0]!.total),
      QUANTILES,
    );
    const window: GroupWindow = windowOf(g, set, unit, scope);
    const first = requests.length;
    for (const lookup of plan.lookups) {
      requests.push({
        i: requests.length,
        ...lookup,
        from: window.from.toISOString(),
        to: window.to.toISOString(),
        entity: window.entity,
      });
    }
    return { set, g, plan, first };
  });
}

/** The key of every entity together in event_lag_day_stats. */
const ALL_ENTITIES = "*";

interface DayVersion {
  day: string;
  version: string | number;
  stored_version: string | number | null;
  events: string | number | null;
  p50_ms: number | null;
  p95_ms: number | null;
}

const dayLabel = (day: string) => `${day}T00:00:00Z`;

/**
 * Event lag count, p50 and p95 in ms per group, as percentile_cont over the raw events would
 * give. A daily series reuses each past day's stored figures while the day's version is the
 * one they were computed at, and stores the figures of the days it had to compute.
 */
export async function eventLag(
  db: Db,
  scope: KpiScope,
  grouping: KpiGrouping,
): Promise<PercentileRow[]> {
  const entityKey = scope.entity ?? ALL_ENTITIES;
  const dailySeries = grouping.unit === "day" && grouping.sets.includes("bucket");
  const { days } = splitWholeDays(scope, true);
  const computedDays: { day: string; version: number }[] = [];

  const rows = await db.transaction(
    async (tx) => {
      const stored: PercentileRow[] = [];
      let seriesDays: string[] | undefined;
      if (dailySeries && days) {
        const versions = await queryRows<DayVersion>(
          tx,
          sql`select v.day::text as day, v.version, s.version as stored_version, s.events, s.p50_ms, s.p95_ms
              from event_lag_day_versions v
              left join event_lag_day_stats s on s.day = v.day and s.entity = ${entityKey}
              where v.day >= ${days.first} and v.day < ${days.last}`,
        );
        seriesDays = [];
        for (const v of versions) {
          if (v.stored_version !== null && Number(v.stored_version) === Number(v.version)) {
            if (Number(v.events) > 0) {
              stored.push({
                set: "bucket",
                g: dayLabel(v.day),
                count: Number(v.events),
                p50: v.p50_ms,
                p95: v.p95_ms,
              });
            }
          } else {
            seriesDays.push(v.day);
            computedDays.push({ day: v.day, version: Number(v.version) });
          }
        }
      }

      const requests: LookupRequest[] = [];
      const plans: GroupPlan[] = [];
      const otherSets = grouping.sets.filter((set) => !(seriesDays && set === "bucket"));
      if (otherSets.length > 0) {
        const spans = await queryRows<SpanRow>(
          tx,
          spansQuery(scope, { ...grouping, sets: otherSets }),
        );
        plans.push(...planGroups(spans, scope, grouping.unit, requests));
      }
      if (seriesDays) {
        const spans = await queryRows<SpanRow>(
          tx,
          spansQuery(scope, { unit: "day", sets: ["bucket"] }, seriesDays),
        );
        plans.push(...planGroups(spans, scope, grouping.unit, requests));
      }
      const values = await lookUpValues(tx, requests);
      const computed = plans.map(({ set, g, plan, first }): PercentileRow => {
        const [p50, p95] = plan.resolve(values.slice(first, first + plan.lookups.length));
        return { set, g, count: plan.total, p50: p50 ?? null, p95: p95 ?? null };
      });
      // In the order the database gives the rest: by grouping set, then key.
      const all = [...computed, ...stored];
      const ofSet = (set: GroupSet) => all.filter((r) => r.set === set);
      const series = ofSet("bucket").sort((a, b) => (a.g! < b.g! ? -1 : a.g! > b.g! ? 1 : 0));
      return [...series, ...ofSet("entity"), ...ofSet("total")];
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );

  if (computedDays.length > 0) await storeDays(db, rows, computedDays, entityKey);
  return rows;
}

/**
 * Stores the figures of the whole days just computed, at the version they were computed at.
 * A row only ever moves to a later version, so a slow request cannot put back older figures.
 */
async function storeDays(
  db: Db,
  rows: PercentileRow[],
  computedDays: { day: string; version: number }[],
  entityKey: string,
): Promise<void> {
  const byLabel = new Map(rows.filter((r) => r.set === "bucket").map((r) => [r.g, r]));
  const figures = computedDays.map(({ day, version }) => {
    const row = byLabel.get(dayLabel(day));
    // A day with a version but no events left (all deleted) stores a count of 0.
    return {
      day,
      version,
      events: Number(row?.count ?? 0),
      p50: row?.p50 ?? null,
      p95: row?.p95 ?? null,
    };
  });
  try {
    await db.execute(sql`
      insert into event_lag_day_stats as s (day, entity, version, events, p50_ms, p95_ms)
      select f.day, ${entityKey}, f.version, f.events, f.p50, f.p95
      from jsonb_to_recordset(${JSON.stringify(figures)}::jsonb)
        as f(day date, version bigint, events bigint, p50 float8, p95 float8)
      order by f.day
      on conflict (day, entity) do update set version = excluded.version, events = excluded.events,
        p50_ms = excluded.p50_ms, p95_ms = excluded.p95_ms
      where s.version < excluded.version`);
  } catch (error) {
    // Storing is only a saving for the next request; the figures returned are right anyway.
    console.error("Could not store the daily event lag figures", error);
  }
}
