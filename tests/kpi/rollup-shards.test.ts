import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { ADVISORY_LOCKS } from "@/db/advisory-locks";
import type { Db } from "@/db/client";
import { eventLag } from "@/db/queries/event-lag";
import { insertEvents, type EventRow } from "@/db/queries/ingest";
import type { GroupSet, KpiScope } from "@/db/queries/kpis";
import { usageCompleteness, usageCompletenessBySourceMeter } from "@/db/queries/usage-completeness";
import { queryRows } from "@/db/rows";
import { TEST_ENGINE, testDbForSuite } from "../support/db";
import { rollupDrift } from "../support/rollup-drift";
import { DAY, HOUR, MINUTE } from "./support";

/*
 * The additive KPI rollups are kept in shards (closeline_rollup_shard in db/sql): each
 * transaction adds its counts to the rows of a shard no other open transaction holds, so two
 * batches touching the same day and entity do not wait for each other, and a key's figure is
 * the sum of its shards, some of which may be negative. The rollups must stay equal to a
 * recount of their rows, and every KPI read equal to the same figure over the raw rows,
 * whichever shards hold what.
 */

const t = testDbForSuite();
const START = Date.parse("2025-03-01T00:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Usage checkpoints of one source, entity and meter as a batch's events: window k ends k + 1
 * hours after `dayStart`, and its event arrives `lag` ms after the window's end.
 */
function checkpoints(
  tag: string,
  entity: string,
  dayStart: number,
  windows: number[],
  lag = 90_000,
): EventRow[] {
  return windows.map((k) => {
    const end = dayStart + (k + 1) * HOUR;
    return {
      source: "/tests/rollup-shards",
      eventId: `${tag}-${entity}-${dayStart}-${k}`,
      type: "usage.checkpoint",
      time: iso(end),
      subject: null,
      data: {
        entity,
        meter: "api_calls",
        windowStart: iso(end - HOUR),
        windowEnd: iso(end),
        expectedCount: 100 + k,
        receivedCount: 97 + ((k * 7) % 5),
      },
      attributes: {},
      receivedAt: iso(end + lag + k * 1_001),
    };
  });
}

/** Runs `work` in a transaction whose rollup counts go to `shard`, as if the others were held. */
function inShard(shard: number, work: (tx: Db) => Promise<unknown>) {
  return t.db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('closeline.rollup_shard', ${String(shard)}, true)`);
    await work(tx as unknown as Db);
  });
}

async function shardsOf(table: string, where: string): Promise<number[]> {
  const rows = await queryRows<{ shard: number }>(
    t.db,
    sql.raw(`select distinct shard from ${table} where ${where} order by 1`),
  );
  return rows.map((r) => Number(r.shard));
}

const lag = sql`(extract(epoch from (e.received_at - e.time)) * 1000)::float8`;

/** percentile_cont over the raw events, per entity or in total. */
async function rawLag(scope: KpiScope, set: GroupSet) {
  const rows = await queryRows<{ g: string | null; count: string; p50: number; p95: number }>(
    t.db,
    sql`select ${set === "entity" ? sql`e.entity` : sql`null::text`} as g, count(*) as count,
          percentile_cont(0.5) within group (order by ${lag}) as p50,
          percentile_cont(0.95) within group (order by ${lag}) as p95
        from events e
        where e.received_at >= ${iso(scope.from.getTime())}::timestamptz
          and e.received_at < ${iso(scope.to.getTime())}::timestamptz
          ${scope.entity ? sql`and e.entity = ${scope.entity}` : sql``}
        group by 1 order by 1`,
  );
  return rows.map((r) => ({ set, ...r, count: Number(r.count) }));
}

/** A day series of percentile_cont over the raw events. */
async function rawLagByDay(scope: KpiScope) {
  const rows = await queryRows<{ g: string; count: string; p50: number; p95: number }>(
    t.db,
    sql`select to_char(date_trunc('day', e.received_at at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as g,
          count(*) as count, percentile_cont(0.5) within group (order by ${lag}) as p50,
          percentile_cont(0.95) within group (order by ${lag}) as p95
        from events e
        where e.received_at >= ${iso(scope.from.getTime())}::timestamptz
          and e.received_at < ${iso(scope.to.getTime())}::timestamptz
          ${scope.entity ? sql`and e.entity = ${scope.entity}` : sql``}
        group by 1 order by 1`,
  );
  return rows.map((r) => ({ set: "bucket", ...r, count: Number(r.count) }));
}

/** The usage sums over the raw checkpoints, per entity or in total. */
async function rawUsage(scope: KpiScope, set: GroupSet) {
  const rows = await queryRows<{
    g: string | null;
    expected: string;
    received: string;
    missing: string;
  }>(
    t.db,
    sql`select ${set === "entity" ? sql`c.entity` : sql`null::text`} as g,
          sum(c.expected_count)::text as expected, sum(c.received_count)::text as received,
          sum(greatest(c.expected_count - c.received_count, 0))::text as missing
        from usage_checkpoints c
        where c.window_end >= ${iso(scope.from.getTime())}::timestamptz
          and c.window_end < ${iso(scope.to.getTime())}::timestamptz
          ${scope.entity ? sql`and c.entity = ${scope.entity}` : sql``}
        group by 1 order by 1`,
  );
  return rows.map((r) => ({ set, ...r }));
}

const rangeOf = (from: number, to: number, entity: string | null = null): KpiScope => ({
  from: new Date(from),
  to: new Date(to),
  entity,
});

describe("rollup shards", () => {
  beforeAll(async () => {
    // A first batch on its own: shard 0.
    await t.db.transaction((tx) =>
      insertEvents(tx, checkpoints("seed", "EU", START, [0, 1, 2]), null),
    );
  });

  it.skipIf(TEST_ENGINE !== "postgres")(
    "lets two open transactions add to the same day and entity without waiting for each other",
    async () => {
      const day = "2025-03-01";
      let inserted!: () => void;
      const aInserted = new Promise<void>((resolve) => (inserted = resolve));
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const first = t.db.transaction(async (tx) => {
        await insertEvents(tx, checkpoints("a", "EU", START, [3, 4, 5]), null);
        inserted();
        await held;
      });
      first.catch(() => inserted());
      await aInserted;
      try {
        // The second batch's rows: the same day, entity, source, meter and lag buckets.
        await t.db.transaction(async (tx) => {
          await tx.execute(sql`set local lock_timeout = '300ms'`);
          await insertEvents(tx, checkpoints("b", "EU", START, [6, 7, 8]), null);
        });
        // A wholesale rewrite of the rollups (the lock exclusive) does wait for the open one.
        const rewrite = t.db.transaction(async (tx) => {
          await tx.execute(sql`set local lock_timeout = '100ms'`);
          await tx.execute(sql`select pg_advisory_xact_lock(${ADVISORY_LOCKS.rollups})`);
        });
        await expect(rewrite.catch((error: Error) => String(error.cause))).resolves.toMatch(
          /lock timeout/,
        );
      } finally {
        release();
        await first;
      }

      for (const [table, where] of [
        ["event_lag_days", `day = '${day}' and entity = 'EU'`],
        ["event_lag_hours", `hour >= '${day}' and entity = 'EU'`],
        ["event_lag_fine_days", `day = '${day}' and entity = 'EU'`],
        ["event_lag_value_days", `day = '${day}' and entity = 'EU'`],
        ["event_lag_months", `month = '2025-03-01' and entity = 'EU'`],
        ["event_lag_day_versions", `day = '${day}'`],
        ["usage_completeness_days", `day = '${day}' and entity = 'EU'`],
        ["usage_completeness_entity_days", `day = '${day}' and entity = 'EU'`],
        ["usage_completeness_months", `month = '2025-03-01' and entity = 'EU'`],
      ]) {
        expect(await shardsOf(table!, where!), table).toEqual([0, 1]);
      }
      expect(await rollupDrift(t.db)).toEqual([]);
      const scope = rangeOf(START, START + DAY);
      expect(await eventLag(t.db, scope, { unit: "day", sets: ["total"] })).toEqual(
        await rawLag(scope, "total"),
      );
    },
  );

  it("forgets its shard with the savepoint that took it", async () => {
    await t.db.transaction(async (tx) => {
      await tx.execute(sql`savepoint s`);
      await tx.execute(sql`select closeline_rollup_shard()`);
      await tx.execute(sql`rollback to savepoint s`);
      const [after] = await queryRows<{ setting: string | null; held: number }>(
        tx as unknown as Db,
        sql`select current_setting('closeline.rollup_shard', true) as setting,
              (select count(*)::int from pg_locks where locktype = 'advisory'
                and pid = pg_backend_pid()) as held`,
      );
      expect(after).toEqual({ setting: "", held: 0 });
      // Taken again, and then kept for the rest of the transaction.
      const [again] = await queryRows<{ a: number; b: number }>(
        tx as unknown as Db,
        sql`select closeline_rollup_shard() as a, closeline_rollup_shard() as b`,
      );
      expect(Number(again!.a)).toBe(Number(again!.b));
    });
  });

  it("stays exact when one shard updates and deletes what another counted", async () => {
    const days = [START + DAY, START + 2 * DAY];
    await inShard(3, async (tx) => {
      for (const dayStart of days) {
        await insertEvents(
          tx,
          [
            ...checkpoints("x", "EU", dayStart, [0, 3, 5, 8, 13, 21]),
            ...checkpoints("x", "UK", dayStart, [1, 4, 9], 5 * MINUTE),
            ...checkpoints("x", "US", dayStart, [2, 6, 7], 40 * MINUTE),
          ],
          null,
        );
      }
    });
    const range = rangeOf(START + DAY, START + 3 * DAY);
    const series = { unit: "day", sets: ["bucket"] } as const;
    // The day series stored at the vector of versions it was computed at.
    expect(await eventLag(t.db, range, series)).toEqual(await rawLagByDay(range));

    await inShard(5, async (tx) => {
      // Counts superseded with the window kept: a row of shard 5 with no checkpoint of its own.
      await tx.execute(sql`
        update usage_checkpoints set received_count = received_count - 2
        where entity = 'EU' and source = '/tests/rollup-shards' and window_end >= ${iso(START + DAY)}::timestamptz`);
      // Every UK row gone: UK's keys add up to nothing over shards 3 and 5.
      await tx.execute(sql`delete from usage_checkpoints where entity = 'UK'`);
      await tx.execute(sql`delete from events where entity = 'UK'`);
      // US events moved a day later and their lags lengthened.
      await tx.execute(sql`
        update events set received_at = received_at + interval '1 day 2 hours',
          time = time - interval '3 seconds'
        where entity = 'US' and received_at < ${iso(START + 2 * DAY)}::timestamptz`);
    });

    const [negative] = await queryRows<{ n: number }>(
      t.db,
      sql`select (select count(*) from event_lag_days where shard = 5 and events < 0)
            + (select count(*) from usage_completeness_days where shard = 5 and checkpoints < 0)
            + (select count(*) from usage_completeness_days where shard = 5 and checkpoints = 0)
            as n`,
    );
    expect(Number(negative!.n)).toBeGreaterThan(0);
    expect(await rollupDrift(t.db)).toEqual([]);

    const scopes = [
      range,
      rangeOf(START + DAY + 5 * HOUR, START + 3 * DAY + 7 * HOUR),
      rangeOf(START, START + 31 * DAY),
    ];
    for (const scope of scopes) {
      for (const set of ["total", "entity"] as const) {
        expect(await eventLag(t.db, scope, { unit: "day", sets: [set] })).toEqual(
          await rawLag(scope, set),
        );
        expect(await usageCompleteness(t.db, scope, { unit: "day", sets: [set] })).toEqual(
          await rawUsage(scope, set),
        );
      }
      const bySourceMeter = await usageCompletenessBySourceMeter(t.db, scope);
      expect(bySourceMeter.map((r) => [r.source, r.meter, String(r.expected)])).toEqual(
        (await rawUsage(scope, "total")).map((r) => [
          "/tests/rollup-shards",
          "api_calls",
          r.expected,
        ]),
      );
    }
    // A key whose shards add up to nothing reads as absent: no UK group, no UK sums.
    const uk = rangeOf(START, START + 31 * DAY, "UK");
    expect(await eventLag(t.db, uk, { unit: "day", sets: ["entity"] })).toEqual([]);
    expect(await usageCompleteness(t.db, uk, { unit: "day", sets: ["total"] })).toEqual([
      { set: "total", g: null, expected: null, received: null, missing: null },
    ]);
    expect(await usageCompletenessBySourceMeter(t.db, uk)).toEqual([]);

    // The stored day series: the changed days computed again, then read back the same.
    expect(await eventLag(t.db, range, series)).toEqual(await rawLagByDay(range));
    expect(await eventLag(t.db, range, series)).toEqual(await rawLagByDay(range));
    // A change from a third shard to a stored day changes its vector.
    await inShard(7, (tx) => insertEvents(tx, checkpoints("late", "EU", START + DAY, [22]), null));
    expect(await eventLag(t.db, range, series)).toEqual(await rawLagByDay(range));
    const [vector] = await queryRows<{ versions: string }>(
      t.db,
      sql`select versions from event_lag_day_stats where day = ${iso(START + DAY).slice(0, 10)}::date
            and entity = '*'`,
    );
    expect(vector!.versions).toMatch(/^(0:\d+,)?3:\d+,5:\d+,7:\d+$/);
    expect(await rollupDrift(t.db)).toEqual([]);
  });
});
