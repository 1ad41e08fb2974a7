import { sql, type SQL } from "drizzle-orm";
import { planPercentiles } from "@/lib/kpi/exact-percentile";
import type { Db } from "../client";
import { queryRows } from "../rows";
import {
  groupingSets,
  type GroupSet,
  type KpiGrouping,
  type KpiScope,
  type PercentileRow,
} from "./kpis";
import { splitWholeDays, timestamptz } from "./whole-days";

/*
 * Event lag p50/p95 (received_at − time, for events received in the range), exact, without
 * sorting every event of the range. Over a month that is ~450,000 events per group; instead:
 *
 * 1. The lag histogram of every group: whole UTC days from event_lag_days (kept by
 *    triggers, migration 0013), the part-days at either end from the events index. The
 *    database sums it per group and bucket, places each bucket in the sorted order
 *    (cumulative counts) and returns only the buckets holding a rank percentile_cont needs.
 * 2. planPercentiles turns those into lookups: the few values around each rank, read from
 *    their bucket alone through events_lag_bucket_idx, then interpolated as percentile_cont.
 *
 * Both steps read one snapshot (a REPEATABLE READ transaction), so an ingest committing in
 * between cannot shift a rank.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
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
    const end = new Date(start.getTime() + (unit === "hour" ? HOUR_MS : DAY_MS));
    return {
      from: start > scope.from ? start : scope.from,
      to: end < scope.to ? end : scope.to,
      entity: scope.entity,
    };
  }
  if (set === "entity") return { from: scope.from, to: scope.to, entity: g };
  return { from: scope.from, to: scope.to, entity: scope.entity };
}

/**
 * The events of the scope as (received_at, entity, bucket, n): a histogram row stands for
 * n events of its day at the day's first instant (same UTC day, so same day bucket). An
 * hourly series needs each event's own hour, so then every row is an event.
 */
function histogramRows(scope: KpiScope, grouping: KpiGrouping): SQL {
  const hourly = grouping.unit === "hour" && grouping.sets.includes("bucket");
  const { days, raw } = splitWholeDays(scope, !hourly);
  const entity = (column: SQL) => (scope.entity ? sql`and ${column} = ${scope.entity}` : sql``);
  const parts = raw.map(
    ([from, to]) => sql`
      select e.received_at, e.entity, e.lag_bucket as bucket, 1::bigint as n from events e
      where e.received_at >= ${timestamptz(from)} and e.received_at < ${timestamptz(to)}
        ${entity(sql`e.entity`)}`,
  );
  if (days) {
    parts.unshift(sql`
      select (d.day::timestamp at time zone 'UTC') as received_at, nullif(d.entity, '') as entity,
        d.bucket, d.events as n
      from event_lag_days d
      where d.day >= ${days.first} and d.day < ${days.last} ${entity(sql`d.entity`)}`);
  }
  if (parts.length === 0) {
    return sql`(select null::timestamptz as received_at, null::text as entity, 0 as bucket,
      0::bigint as n where false)`;
  }
  return sql`(${sql.join(parts, sql` union all `)})`;
}

/** For every group: the buckets that hold a rank the quantiles need, with their place. */
function spansQuery(scope: KpiScope, grouping: KpiGrouping): SQL {
  const g = groupingSets(grouping, sql`h.received_at`, sql`h.entity`);
  const quantiles = sql.raw(`array[${QUANTILES.join(", ")}]::float8[]`);
  return sql`
    with counts as (
      select ${g.columns}, h.bucket, sum(h.n) as n
      from ${histogramRows(scope, grouping)} h
      group by h.bucket, ${g.groupBy}
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

/** The values of each request, ascending, in request order. */
async function lookUpValues(db: Db, requests: LookupRequest[]): Promise<number[][]> {
  const values = requests.map(() => [] as number[]);
  if (requests.length === 0) return values;
  const rows = await queryRows<{ i: number; lag_ms: number | string }>(
    db,
    sql`select r.i, v.lag_ms
        from jsonb_to_recordset(${JSON.stringify(requests)}::jsonb)
          as r(i int, bucket int, "from" timestamptz, "to" timestamptz, entity text, "offset" int, "limit" int)
        cross join lateral (
          select e.lag_ms from events e
          where e.lag_bucket = r.bucket and e.received_at >= r."from" and e.received_at < r."to"
            and (r.entity is null or e.entity = r.entity)
          order by e.lag_ms offset r."offset" limit r."limit"
        ) v
        order by r.i, v.lag_ms`,
  );
  for (const row of rows) values[row.i]!.push(Number(row.lag_ms));
  return values;
}

/** Event lag count, p50 and p95 in ms per group, as percentile_cont over the raw events would give. */
export function eventLag(db: Db, scope: KpiScope, grouping: KpiGrouping): Promise<PercentileRow[]> {
  return db.transaction(
    async (tx) => {
      const spans = await queryRows<SpanRow>(tx, spansQuery(scope, grouping));
      const groups = new Map<string, { set: GroupSet; g: string | null; rows: SpanRow[] }>();
      for (const row of spans) {
        const key = `${row.set}\u0000${row.g ?? ""}`;
        const group = groups.get(key) ?? { set: row.set, g: row.g, rows: [] };
        group.rows.push(row);
        groups.set(key, group);
      }

      const requests: LookupRequest[] = [];
      const plans = [...groups.values()].map(({ set, g, rows }) => {
        const plan = planPercentiles(
          rows.map((r) => ({ bucket: r.bucket, count: Number(r.n), before: Number(r.before) })),
          Number(rows[0]!.total),
          QUANTILES,
        );
        const window: GroupWindow = windowOf(g, set, grouping.unit, scope);
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
      const values = await lookUpValues(tx, requests);

      return plans.map(({ set, g, plan, first }) => {
        const [p50, p95] = plan.resolve(values.slice(first, first + plan.lookups.length));
        return { set, g, count: plan.total, p50: p50 ?? null, p95: p95 ?? null };
      });
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}
