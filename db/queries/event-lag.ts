import { sql, type SQL } from "drizzle-orm";
import { planPercentiles, type BucketCount } from "@/lib/kpi/exact-percentile";
import type { Db } from "../client";
import { queryRows } from "../rows";
import {
  BUCKET_LABEL,
  bucketStart,
  type GroupSet,
  type KpiGrouping,
  type KpiScope,
  type PercentileRow,
} from "./kpis";

/*
 * Event lag p50/p95 (received_at − time, for events received in the range), exact, without
 * sorting every event of the range. Over a month that is ~450,000 events per group; instead:
 *
 * 1. The lag histogram of the range: whole UTC days from event_lag_days (kept by triggers,
 *    migration 0013), the part-days at either end from the events index. ~30 × 150 rows.
 * 2. planPercentiles finds which bucket holds each rank percentile_cont needs.
 * 3. Those ranks' values are read from their bucket alone, through events_lag_bucket_idx
 *    (a few hundred index entries each), and interpolated as percentile_cont does.
 *
 * Both steps read one snapshot (a REPEATABLE READ transaction), so an ingest committing in
 * between cannot shift a rank.
 */

const DAY_MS = 86_400_000;
const QUANTILES = [0.5, 0.95] as const;

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;
const floorDay = (d: Date) => new Date(Math.floor(d.getTime() / DAY_MS) * DAY_MS);
const ceilDay = (d: Date) => new Date(Math.ceil(d.getTime() / DAY_MS) * DAY_MS);

interface HistogramRow {
  g: string | null;
  bucket: number;
  n: string | number;
}

/** The time window and entity whose events a group's percentiles are over. */
interface GroupWindow {
  from: Date;
  to: Date;
  entity: string | null;
}

type Unit = KpiGrouping["unit"];

function windowOf(g: string | null, set: GroupSet, unit: Unit, scope: KpiScope): GroupWindow {
  if (set === "bucket" && g !== null) {
    const start = new Date(g);
    const end = new Date(start.getTime() + (unit === "hour" ? 3_600_000 : DAY_MS));
    return {
      from: start > scope.from ? start : scope.from,
      to: end < scope.to ? end : scope.to,
      entity: scope.entity,
    };
  }
  if (set === "entity") return { from: scope.from, to: scope.to, entity: g };
  return { from: scope.from, to: scope.to, entity: scope.entity };
}

function histogramQuery(scope: KpiScope, set: GroupSet, unit: Unit): SQL {
  // Whole days come from the daily histogram, unless the series is by hour.
  const firstDay = ceilDay(scope.from);
  const lastDay = floorDay(scope.to);
  const useDays = !(set === "bucket" && unit === "hour") && firstDay < lastDay;
  const rawRanges: [Date, Date][] = useDays
    ? [
        [scope.from, firstDay],
        [lastDay, scope.to],
      ]
    : [[scope.from, scope.to]];

  // Events naming no entity belong to no entity's row (the engine shows named entities only).
  const byEntity = set === "entity";
  const rawGroup =
    set === "entity"
      ? sql`e.entity`
      : set === "bucket"
        ? sql`to_char(${bucketStart(unit, sql`e.received_at`)}, ${sql.raw(BUCKET_LABEL)})`
        : sql`null::text`;
  const raw = rawRanges
    .filter(([from, to]) => from < to)
    .map(
      ([from, to]) => sql`
        select ${rawGroup} as g, e.lag_bucket as bucket, count(*) as n
        from events e
        where e.received_at >= ${ts(from)} and e.received_at < ${ts(to)}
          ${scope.entity ? sql`and e.entity = ${scope.entity}` : sql``}
          ${byEntity ? sql`and e.entity is not null` : sql``}
        group by 1, 2`,
    );
  const dayGroup =
    set === "entity"
      ? sql`d.entity`
      : set === "bucket"
        ? sql`to_char(d.day, 'YYYY-MM-DD"T00:00:00Z"')`
        : sql`null::text`;
  const days = useDays
    ? [
        sql`
        select ${dayGroup} as g, d.bucket, d.events as n
        from event_lag_days d
        where d.day >= ${firstDay.toISOString().slice(0, 10)}::date
          and d.day < ${lastDay.toISOString().slice(0, 10)}::date
          ${scope.entity ? sql`and d.entity = ${scope.entity}` : sql``}
          ${byEntity ? sql`and d.entity <> ''` : sql``}`,
      ]
    : [];
  const parts = [...days, ...raw];
  if (parts.length === 0) return sql`select null::text as g, 0 as bucket, 0 as n where false`;
  return sql`select h.g, h.bucket, sum(h.n) as n
    from (${sql.join(parts, sql` union all `)}) h
    group by h.g, h.bucket order by h.g, h.bucket`;
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

/** The groups of one grouping set, each with its count and percentiles. */
async function percentilesOf(
  db: Db,
  scope: KpiScope,
  set: GroupSet,
  unit: Unit,
): Promise<PercentileRow[]> {
  const histogram = await queryRows<HistogramRow>(db, histogramQuery(scope, set, unit));
  const groups = new Map<string | null, BucketCount[]>();
  for (const row of histogram) {
    const buckets = groups.get(row.g) ?? [];
    buckets.push({ bucket: Number(row.bucket), count: Number(row.n) });
    groups.set(row.g, buckets);
  }

  const plans = [...groups].map(([g, buckets]) => ({
    g,
    window: windowOf(g, set, unit, scope),
    plan: planPercentiles(buckets, QUANTILES),
  }));
  const requests: LookupRequest[] = [];
  const firstRequest = plans.map(({ window, plan }) => {
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
    return first;
  });
  const values = await lookUpValues(db, requests);

  return plans.map(({ g, plan }, p) => {
    const first = firstRequest[p]!;
    const [p50, p95] = plan.resolve(values.slice(first, first + plan.lookups.length));
    return { set, g, count: plan.total, p50: p50 ?? null, p95: p95 ?? null };
  });
}

/** Event lag count, p50 and p95 in ms per group, as percentile_cont over the raw events would give. */
export function eventLag(db: Db, scope: KpiScope, grouping: KpiGrouping): Promise<PercentileRow[]> {
  return db.transaction(
    async (tx) => {
      const rows: PercentileRow[] = [];
      for (const set of grouping.sets)
        rows.push(...(await percentilesOf(tx, scope, set, grouping.unit)));
      return rows;
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}
