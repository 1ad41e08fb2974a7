import fc from "fast-check";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { eventLag } from "@/db/queries/event-lag";
import type { GroupSet, KpiGrouping, KpiScope } from "@/db/queries/kpis";
import { queryRows } from "@/db/rows";
import { cumulativeSpans, planPercentiles } from "@/db/queries/exact-percentile";
import { runRetention } from "@/lib/retention";
import { testDbForSuite } from "../support/db";
import { DAY, HOUR, monthRanges, rowsInOrder } from "./support";

/*
 * Event lag percentiles come from a daily lag histogram kept by triggers plus a lookup of the
 * few values around each rank (db/queries/event-lag.ts). They must be exactly what
 * percentile_cont over the raw events gives — for every grouping, over ranges that start
 * and end mid-day — and the histogram must stay equal to a recount of the events after
 * inserts, updates, retention deletes and a truncate.
 */

/** percentile_cont over a sorted array, written out as PostgreSQL's orderedsetaggs.c does. */
function percentileCont(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const position = q * (sorted.length - 1);
  const lo = Math.floor(position);
  const low = sorted[lo]!;
  return low + (position - lo) * (sorted[Math.ceil(position)]! - low);
}

describe("planPercentiles (no database)", () => {
  it("gives percentile_cont's exact float for any values and any monotone bucketing", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e9, noNaN: true }), { minLength: 0, maxLength: 300 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 4 }),
        (values, width, quantiles) => {
          const sorted = [...values].sort((a, b) => a - b);
          const bucketOf = (v: number) => Math.floor(v / width);
          const counts = new Map<number, number>();
          for (const v of sorted) counts.set(bucketOf(v), (counts.get(bucketOf(v)) ?? 0) + 1);
          const { spans, total } = cumulativeSpans(
            [...counts].map(([bucket, count]) => ({ bucket, count })),
          );
          const plan = planPercentiles(spans, total, quantiles);
          expect(plan.total).toBe(values.length);
          const looked = plan.lookups.map((l) =>
            sorted.filter((v) => bucketOf(v) === l.bucket).slice(l.offset, l.offset + l.limit),
          );
          expect(plan.resolve(looked)).toEqual(quantiles.map((q) => percentileCont(sorted, q)));
        },
      ),
      { seed: 4, numRuns: 300 },
    );
  });

  it("reads only the values around the ranks, not whole buckets", () => {
    const { spans, total } = cumulativeSpans([
      { bucket: 1, count: 1000 },
      { bucket: 2, count: 1000 },
    ]);
    const plan = planPercentiles(spans, total, [0.5, 0.95]);
    // 2,000 values: p50 between ranks 999 and 1000 (two buckets), p95 at 1899.05 → 1899, 1900.
    expect(plan.lookups).toEqual([
      { bucket: 1, offset: 999, limit: 1 },
      { bucket: 2, offset: 0, limit: 901 },
    ]);
  });

  it("answers null, not 0, when there is nothing to measure", () => {
    expect(planPercentiles([], 0, [0.5]).resolve([])).toEqual([null]);
  });

  it("refuses a histogram that lacks the bucket holding a rank", () => {
    // 10 values, p50 needs ranks 4 and 5; the span given covers ranks 0–3 only.
    expect(() => planPercentiles([{ bucket: 1, count: 4, before: 0 }], 10, [0.5])).toThrow(
      /rank 4/,
    );
  });
});

describe("event lag from the histogram (database)", () => {
  const t = testDbForSuite();
  // Three days of events, 00:00 on 2025-03-01 to 00:00 on 2025-03-04.
  const START = Date.parse("2025-03-01T00:00:00Z");
  /** A minute before the fourth midnight: after the last of the 2,400 events (108 s before it). */
  const LAST_EVENT_BOUND = START + 3 * DAY - 60_000;

  /** A deterministic spread of lags: ties, negatives (clock skew), sub-ms, hours. */
  function lagFor(i: number): number {
    const r = (i * 2654435761) % 1000;
    if (r < 30) return -(r * 37); // clock skew
    if (r < 100) return 1500; // many equal lags
    if (r < 150) return (r % 50) + 0.25; // below 64 ms, fractional
    if (r < 900) return 40 + ((i * 7919) % 2000);
    return ((i * 104729) % 36_000_000) + 0.5; // up to 10 h late
  }

  /** Stores payment events straight into the table, each received `lag` ms after its time. */
  async function insertLagged(
    db: Db,
    events: { id: string; received: number; lag: number; entity: string | null | undefined }[],
  ) {
    const rows = events.map(({ id, received, lag, entity }) => ({
      id,
      time: new Date(received - lag).toISOString(),
      received: new Date(received).toISOString(),
      data: entity ? { entity } : { note: "no entity" },
    }));
    await db.execute(sql`
      insert into events (source, event_id, type, time, received_at, data)
      select '/tests/lag-histogram', r.id, 'payment.received', r.time, r.received, r.data
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as r(id text, time timestamptz, received timestamptz, data jsonb)`);
  }

  async function insertEvents(db: Db, from: number, count: number, prefix: string) {
    await insertLagged(
      db,
      Array.from({ length: count }, (_, i) => ({
        id: `${prefix}-${i}`,
        received: START + Math.floor(((i + from) * 3 * DAY) / 2400),
        lag: lagFor(i + from),
        entity: ["EU", "US", null][(i + from) % 3],
      })),
    );
  }

  /**
   * 700 more events from 2025-02-10 to 2025-04-20, so that ranges of most of a month read the
   * month histogram (migration 0023), less the month's days outside the range.
   */
  const MONTHS_START = Date.parse("2025-02-10T00:00:00Z");
  const SPARSE_EVENTS = 700;
  async function insertSparseEvents(db: Db) {
    await insertLagged(
      db,
      Array.from({ length: SPARSE_EVENTS }, (_, i) => ({
        id: `sparse-${i}`,
        received: MONTHS_START + Math.floor((i * 69 * DAY) / SPARSE_EVENTS) + 7_777,
        lag: lagFor(i * 11 + 5),
        entity: ["EU", "US", null][i % 3],
      })),
    );
  }

  /**
   * The histogram as the triggers left it, and as a recount of the events says it should be:
   * per day, per month, per hour, per day in fine buckets and per day and lag value.
   */
  async function histogramDrift(db: Db) {
    const day = "(received_at at time zone 'UTC')::date";
    const drift = (table: string, period: [string, string], bucket: [string, string]) =>
      sql.raw(`
        select '${table} ' || coalesce(a.period, t.${period[0]})::text as day,
          coalesce(a.entity, t.entity) as entity, coalesce(a.bucket, t.${bucket[0]}) as bucket,
          t.events as kept, a.n as actual
        from (
          select ${period[1]} as period, coalesce(entity, '') as entity, ${bucket[1]} as bucket,
            count(*) as n
          from events group by 1, 2, 3
        ) a full join ${table} t
          on t.${period[0]} = a.period and t.entity = a.entity and t.${bucket[0]} = a.bucket
        where t.events is distinct from a.n`);
    return queryRows<{ day: string; entity: string; bucket: number; kept: number; actual: number }>(
      db,
      sql.join(
        [
          drift("event_lag_days", ["day", day], ["bucket", "lag_bucket"]),
          drift(
            "event_lag_months",
            ["month", `date_trunc('month', ${day})::date`],
            ["bucket", "lag_bucket"],
          ),
          drift(
            "event_lag_hours",
            ["hour", "date_trunc('hour', received_at, 'UTC')"],
            ["bucket", "lag_bucket"],
          ),
          drift("event_lag_fine_days", ["day", day], ["fine", "closeline_lag_fine_bucket(lag_ms)"]),
          drift("event_lag_value_days", ["day", day], ["lag_ms", "lag_ms"]),
        ],
        sql` union all `,
      ),
    );
  }

  /** percentile_cont straight over the events, grouped as the engine groups. */
  async function rawPercentiles(db: Db, scope: KpiScope, set: GroupSet, unit: KpiGrouping["unit"]) {
    const lag = sql`(extract(epoch from (e.received_at - e.time)) * 1000)::float8`;
    const g =
      set === "total"
        ? sql`null::text`
        : set === "entity"
          ? sql`e.data->>'entity'`
          : sql`to_char(date_trunc(${unit}, e.received_at at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
    const rows = await queryRows<{ g: string | null; count: string; p50: number; p95: number }>(
      db,
      sql`select ${g} as g, count(*) as count,
            percentile_cont(0.5) within group (order by ${lag}) as p50,
            percentile_cont(0.95) within group (order by ${lag}) as p95
          from events e
          where e.received_at >= ${scope.from.toISOString()}::timestamptz
            and e.received_at < ${scope.to.toISOString()}::timestamptz
            ${scope.entity ? sql`and e.data->>'entity' = ${scope.entity}` : sql``}
            ${set === "entity" ? sql`and e.data->>'entity' is not null` : sql``}
          group by 1 order by 1`,
    );
    return rows.map((r) => ({
      set,
      g: r.g,
      count: Number(r.count),
      p50: Number(r.p50),
      p95: Number(r.p95),
    }));
  }

  const groupings: { set: GroupSet; unit: KpiGrouping["unit"]; label: string }[] = [
    { set: "total", unit: "day", label: "total" },
    { set: "entity", unit: "day", label: "by entity" },
    { set: "bucket", unit: "day", label: "by day" },
    { set: "bucket", unit: "hour", label: "by hour" },
  ];
  const cases = [
    { name: "whole days", from: START, to: START + 3 * DAY },
    {
      name: "mid-day to mid-day",
      from: START + 5 * HOUR + 17_000,
      to: START + 2 * DAY + 19 * HOUR,
    },
    { name: "inside one day", from: START + DAY + HOUR, to: START + DAY + 9 * HOUR },
    { name: "up to after the last event", from: START + 5 * HOUR, to: LAST_EVENT_BOUND },
    ...monthRanges(START),
  ].flatMap(({ name, from, to }) =>
    groupings.flatMap(({ set, unit, label }) =>
      [null, "EU"].map((entity) => ({
        name: `${name}, ${label}${entity ? `, entity ${entity}` : ""}`,
        scope: { from: new Date(from), to: new Date(to), entity } as KpiScope,
        set,
        unit,
      })),
    ),
  );

  beforeAll(async () => {
    await insertEvents(t.db, 0, 1200, "a");
    await insertEvents(t.db, 1200, 1200, "b");
    await insertSparseEvents(t.db);
  }, 120_000);

  it("puts every lag's fine bucket inside its bucket (fine >> 3)", async () => {
    const [row] = await queryRows<{ checked: string; wrong: string }>(
      t.db,
      sql`with lags(ms) as (
            select x from unnest(array[-5e6, -1, -1e-9, 0, 1e-9, 0.124, 0.125, 7.99, 63.999,
              64, 64.0001, 127.999, 128, 1024, 1e6, 2^40, 2^40 - 1e-3]::float8[]) x
            union all select g * 0.37 from generate_series(0, 20000) g
            union all select 2 ^ (g / 100.0) from generate_series(0, 4000) g
            union all select 2 ^ (g / 10) from generate_series(0, 500) g)
          select count(*) as checked,
            count(*) filter (where closeline_lag_fine_bucket(ms) >> 3 <> closeline_lag_bucket(ms)) as wrong
          from lags`,
    );
    expect(Number(row?.checked)).toBeGreaterThan(24_000);
    expect(Number(row?.wrong)).toBe(0);
  });

  it("keeps the histogram equal to a recount of the events after inserts", async () => {
    expect(await histogramDrift(t.db)).toEqual([]);
    const [sum] = await queryRows<{ n: string }>(
      t.db,
      sql`select sum(events) as n from event_lag_days`,
    );
    expect(Number(sum?.n)).toBe(2400 + SPARSE_EVENTS);
  });

  it.each(cases)(
    "equals percentile_cont over the raw events: $name",
    async ({ scope, set, unit }) => {
      const expected = await rawPercentiles(t.db, scope, set, unit);
      expect(expected.length).toBeGreaterThan(0);
      expect(await eventLag(t.db, scope, { unit, sets: [set] })).toEqual(expected);
    },
  );

  it("answers several groupings from one call, each as it would alone", async () => {
    const scope = { from: new Date(START + 3 * HOUR), to: new Date(START + 3 * DAY), entity: null };
    expect(
      await eventLag(t.db, scope, { unit: "day", sets: ["total", "bucket", "entity"] }),
    ).toEqual(
      // Ordered by grouping set, then key.
      await rowsInOrder(["bucket", "entity", "total"] as const, (set) =>
        rawPercentiles(t.db, scope, set, "day"),
      ),
    );
  });

  it("stores each whole day's series figures and reuses them only while the day is unchanged", async () => {
    const scope = { from: new Date(START), to: new Date(START + 3 * DAY), entity: "US" };
    const series = { unit: "day", sets: ["bucket"] } as const;
    const first = await eventLag(t.db, scope, series);
    expect(first).toEqual(await rawPercentiles(t.db, scope, "bucket", "day"));
    const stored = await queryRows<{ day: string; events: string; p50_ms: number }>(
      t.db,
      sql`select day::text as day, events, p50_ms from event_lag_day_stats where entity = 'US' order by day`,
    );
    expect(stored.map((r) => [r.day, Number(r.events), r.p50_ms])).toEqual(
      first.map((r) => [r.g!.slice(0, 10), r.count, r.p50]),
    );
    // Read back from the stored rows: the same floats.
    expect(await eventLag(t.db, scope, series)).toEqual(first);

    // Lags a microsecond longer: (almost) no histogram count changes, but every figure does.
    await t.db.execute(sql`
      update events set time = time - interval '1 microsecond'
      where entity = 'US' and received_at >= ${new Date(START + DAY).toISOString()}::timestamptz`);
    const moved = await eventLag(t.db, scope, series);
    expect(moved).toEqual(await rawPercentiles(t.db, scope, "bucket", "day"));
    expect(moved).not.toEqual(first);

    // A new event on a stored day.
    await insertEvents(t.db, 7, 1, "late");
    expect(await eventLag(t.db, scope, series)).toEqual(
      await rawPercentiles(t.db, scope, "bucket", "day"),
    );
  });

  it("follows updates of received_at and time", async () => {
    await t.db.execute(sql`
      update events set received_at = received_at + interval '1 day 3 hours', time = time - interval '7 seconds'
      where event_id like 'a-%' and (substr(event_id, 3)::int % 5) = 0`);
    expect(await histogramDrift(t.db)).toEqual([]);
    const scope = { from: new Date(START + 7 * HOUR), to: new Date(START + 4 * DAY), entity: null };
    expect(await eventLag(t.db, scope, { unit: "day", sets: ["bucket"] })).toEqual(
      await rawPercentiles(t.db, scope, "bucket", "day"),
    );
  });

  it("follows retention deletes and a truncate", async () => {
    // Everything received before 2025-03-02 12:00 is older than the 1-day retention age.
    const result = await runRetention(t.db, {
      now: new Date(START + 2.5 * DAY),
      maxAgeDays: 1,
      batchSize: 333,
    });
    expect(result.events).toBeGreaterThan(0);
    expect(await histogramDrift(t.db)).toEqual([]);
    await t.db.execute(sql`truncate events cascade`);
    const [left] = await queryRows<{ n: string }>(
      t.db,
      sql`select count(*) as n from event_lag_days`,
    );
    expect(Number(left?.n)).toBe(0);
  });
});
