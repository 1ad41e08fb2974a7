import "server-only";
import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";
import { planPercentiles } from "./exact-percentile";
import { QUANTILES, spansQuery, type SpanRow } from "./event-lag-spans";
import { lookUpValues, type LookupRequest } from "./event-lag-values";
import type { GroupSet, KpiGrouping, KpiScope, PercentileRow } from "./kpis";
import { splitWholeDays } from "./whole-days";

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
 *    one fine bucket (or two), whose values alone are read, as counts per distinct value
 *    (event_lag_value_days; the minutes beyond whole days from events_lag_fine_idx), then
 *    interpolated as percentile_cont.
 *
 * All steps read one snapshot (a REPEATABLE READ transaction), so an ingest committing in
 * between cannot shift a rank. Step 1 is in ./event-lag-spans.ts, the lookups of step 2 in
 * ./event-lag-values.ts.
 */

const DAY_MS = 86_400_000;
const UNIT_MS: Record<KpiGrouping["unit"], number> = {
  hour: 3_600_000,
  day: DAY_MS,
  week: 7 * DAY_MS,
};

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
  versions: string;
  stored_versions: string | null;
  events: string | number | null;
  p50_ms: number | null;
  p95_ms: number | null;
}

const dayLabel = (day: string) => `${day}T00:00:00Z`;

/** A day computed here, at the state of its events that its versions name. */
interface ComputedDay {
  day: string;
  version: number;
  versions: string;
}

/*
 * Which state of a day's events stored figures hold: the vector of the day's shard versions
 * (`shard:version` pairs by shard), not their sum. A transaction that changes a day's events
 * bumps the day's row of its own shard (event_lag_day_versions_bump), and a row's updates
 * form one chain: each waits for the one before to commit (row lock), and PostgreSQL makes
 * a transaction visible before it lets a waiter on it go on. So every snapshot sees a prefix
 * of each row's chain, and as the version grows along the chain, a row's version names that
 * prefix. Two snapshots with the same vector therefore see the same set of committed changes
 * to the day's events, so the same events. The sum is not exact: two transactions on two
 * shards may become visible in a different order than they committed, and a snapshot seeing
 * only the first and another seeing only the second would see different events under the
 * same sum. The sum only orders what is stored: a later state holds every change an earlier
 * one held and more, so its sum is larger.
 */
const VERSIONS_OF = sql`string_agg(x.shard || ':' || x.version, ',' order by x.shard)`;

/**
 * Event lag count, p50 and p95 in ms per group, as percentile_cont over the raw events would
 * give. A daily series reuses each past day's stored figures while the day's versions are
 * the ones they were computed at, and stores the figures of the days it had to compute.
 */
export async function eventLag(
  db: Db,
  scope: KpiScope,
  grouping: KpiGrouping,
): Promise<PercentileRow[]> {
  const entityKey = scope.entity ?? ALL_ENTITIES;
  const dailySeries = grouping.unit === "day" && grouping.sets.includes("bucket");
  const { days } = splitWholeDays(scope, true);
  const computedDays: ComputedDay[] = [];

  const rows = await db.transaction(
    async (tx) => {
      const stored: PercentileRow[] = [];
      let seriesDays: string[] | undefined;
      if (dailySeries && days) {
        const versions = await queryRows<DayVersion>(
          tx,
          sql`select v.day::text as day, v.version, v.versions, s.versions as stored_versions,
                s.events, s.p50_ms, s.p95_ms
              from (select x.day, sum(x.version) as version, ${VERSIONS_OF} as versions
                from event_lag_day_versions x
                where x.day >= ${days.first} and x.day < ${days.last}
                group by x.day) v
              left join event_lag_day_stats s on s.day = v.day and s.entity = ${entityKey}`,
        );
        seriesDays = [];
        for (const v of versions) {
          if (v.stored_versions === v.versions) {
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
            computedDays.push({ day: v.day, version: Number(v.version), versions: v.versions });
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
 * Stores the figures of the whole days just computed, at the versions they were computed at.
 * A row only ever moves to a larger sum of versions, so a slow request cannot put back older
 * figures (and figures of a state no later than the stored one are no use anyway).
 */
async function storeDays(
  db: Db,
  rows: PercentileRow[],
  computedDays: ComputedDay[],
  entityKey: string,
): Promise<void> {
  const byLabel = new Map(rows.filter((r) => r.set === "bucket").map((r) => [r.g, r]));
  const figures = computedDays.map(({ day, version, versions }) => {
    const row = byLabel.get(dayLabel(day));
    // A day with a version but no events left (all deleted) stores a count of 0.
    return {
      day,
      version,
      versions,
      events: Number(row?.count ?? 0),
      p50: row?.p50 ?? null,
      p95: row?.p95 ?? null,
    };
  });
  try {
    await db.execute(sql`
      insert into event_lag_day_stats as s (day, entity, version, versions, events, p50_ms, p95_ms)
      select f.day, ${entityKey}, f.version, f.versions, f.events, f.p50, f.p95
      from jsonb_to_recordset(${JSON.stringify(figures)}::jsonb)
        as f(day date, version bigint, versions text, events bigint, p50 float8, p95 float8)
      order by f.day
      on conflict (day, entity) do update set version = excluded.version,
        versions = excluded.versions, events = excluded.events, p50_ms = excluded.p50_ms,
        p95_ms = excluded.p95_ms
      where s.version < excluded.version`);
  } catch (error) {
    // Storing is only a saving for the next request; the figures returned are right anyway.
    console.error("Could not store the daily event lag figures", error);
  }
}
