import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import type { GroupSet, KpiGrouping, KpiScope } from "@/db/queries/kpis";
import { usageCompleteness, usageCompletenessBySourceMeter } from "@/db/queries/usage-completeness";
import { queryRows } from "@/db/rows";
import { runRetention } from "@/lib/retention";
import type { Db } from "@/db/client";
import { testDbForSuite } from "../support/db";
import {
  checkpoint,
  DAY,
  HOUR,
  ingest,
  MINUTE,
  type FixtureEvent,
  monthRanges,
  rowsInOrder,
} from "./support";

/*
 * Usage completeness reads whole days from a daily rollup kept by triggers and only the
 * part-days at either end from the checkpoints or as their day's rollup row minus the rest of
 * the day, whichever is shorter (db/queries/whole-days.ts; the ranges below take both). Its sums
 * must be exactly those over the raw checkpoints — for every grouping, over ranges that start
 * and end mid-day — and the rollup must stay equal to a recount of the checkpoints after
 * ingestion (new windows, superseding and stale re-reports), retention deletes and a truncate.
 */

// Three days of hourly windows, 00:00 on 2025-03-01 to 00:00 on 2025-03-04.
const START = Date.parse("2025-03-01T00:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();

const SERIES = [
  { source: "/billing-eu", entity: "EU", meter: "api_calls" },
  { source: "/billing-eu", entity: "EU", meter: "storage" },
  { source: "/billing-us", entity: "US", meter: "api_calls" },
  // The same entity reported by a second source.
  { source: "/billing-us", entity: "EU", meter: "api_calls" },
  // Windows ending at half past: an hour bucket is the hour the window ends in.
  { source: "/billing-us", entity: "UK", meter: "storage", offset: -30 * MINUTE },
];

/** Window k (0–71) of series i, or none: every series has gaps. */
function windowOf(k: number, i: number) {
  if ((k + i) % 4 === 3) return null;
  const end = START + (k + 1) * HOUR + (SERIES[i]!.offset ?? 0);
  const expectedCount = 100 + ((k * 37 + i * 101) % 900);
  // Some windows receive more than expected: missing counts them as 0, not negative.
  const receivedCount = expectedCount - ((k * 13 + i * 7) % 11) + ((k + i) % 9 === 0 ? 25 : 0);
  return { ...SERIES[i]!, end, expectedCount, receivedCount };
}

function report(
  w: NonNullable<ReturnType<typeof windowOf>>,
  counts: { expectedCount: number; receivedCount: number },
  eventTime: number,
): FixtureEvent {
  return checkpoint(
    {
      entity: w.entity,
      meter: w.meter,
      windowStart: iso(w.end - HOUR),
      windowEnd: iso(w.end),
      ...counts,
    },
    { source: w.source, time: iso(eventTime) },
  );
}

/**
 * Sparser windows from 2025-02-10 to 2025-04-20, ending at 7 past the hour (so never the key
 * of a window above): ranges of most of a month read the month rollup (migration 0023).
 */
const MONTHS_START = Date.parse("2025-02-10T00:00:00Z");
function sparseWindowOf(k: number, i: number) {
  const w = windowOf(k, i);
  return w && { ...w, end: MONTHS_START + k * 6 * HOUR + 7 * MINUTE + i * 3 * MINUTE };
}

const windows = [
  ...Array.from({ length: 72 }, (_, k) => SERIES.map((_, i) => windowOf(k, i))),
  ...Array.from({ length: 276 }, (_, k) => SERIES.map((_, i) => sparseWindowOf(k, i))),
]
  .flat()
  .filter((w) => w !== null);

const t = testDbForSuite();

/** The rollup as the triggers left it, and as a recount of the checkpoints says it should be. */
async function rollupDrift(db: Db) {
  const fine = await queryRows<Record<string, unknown>>(
    db,
    sql`with actual as (
          select (window_end at time zone 'UTC')::date as day, entity, source, meter,
            count(*) as checkpoints, sum(expected_count) as expected, sum(received_count) as received,
            sum(greatest(expected_count - received_count, 0)) as missing
          from usage_checkpoints group by 1, 2, 3, 4)
        select coalesce(a.day, d.day)::text as day, coalesce(a.entity, d.entity) as entity,
          coalesce(a.source, d.source) as source, coalesce(a.meter, d.meter) as meter,
          d.checkpoints as kept_checkpoints, a.checkpoints as actual_checkpoints,
          d.expected as kept_expected, a.expected as actual_expected,
          d.received as kept_received, a.received as actual_received,
          d.missing as kept_missing, a.missing as actual_missing
        from actual a full join usage_completeness_days d
          on d.day = a.day and d.entity = a.entity and d.source = a.source and d.meter = a.meter
        where (d.checkpoints, d.expected, d.received, d.missing)
          is distinct from (a.checkpoints, a.expected, a.received, a.missing)`,
  );
  // The per-day-and-entity table, kept from the finer one, against the same recount.
  const coarse = await queryRows<Record<string, unknown>>(
    db,
    sql`with actual as (
          select (window_end at time zone 'UTC')::date as day, entity, count(*) as checkpoints,
            sum(expected_count) as expected, sum(received_count) as received,
            sum(greatest(expected_count - received_count, 0)) as missing
          from usage_checkpoints group by 1, 2)
        select coalesce(a.day, d.day)::text as day, coalesce(a.entity, d.entity) as entity,
          d.checkpoints as kept_checkpoints, a.checkpoints as actual_checkpoints
        from actual a full join usage_completeness_entity_days d on d.day = a.day and d.entity = a.entity
        where (d.checkpoints, d.expected, d.received, d.missing)
          is distinct from (a.checkpoints, a.expected, a.received, a.missing)`,
  );
  // The per-month table, kept from the per-day one, against the same recount by month.
  const months = await queryRows<Record<string, unknown>>(
    db,
    sql`with actual as (
          select date_trunc('month', window_end at time zone 'UTC')::date as month, entity, source,
            meter, count(*) as checkpoints, sum(expected_count) as expected,
            sum(received_count) as received,
            sum(greatest(expected_count - received_count, 0)) as missing
          from usage_checkpoints group by 1, 2, 3, 4)
        select coalesce(a.month, m.month)::text as month, coalesce(a.entity, m.entity) as entity,
          coalesce(a.source, m.source) as source, coalesce(a.meter, m.meter) as meter,
          m.checkpoints as kept_checkpoints, a.checkpoints as actual_checkpoints
        from actual a full join usage_completeness_months m
          on m.month = a.month and m.entity = a.entity and m.source = a.source and m.meter = a.meter
        where (m.checkpoints, m.expected, m.received, m.missing)
          is distinct from (a.checkpoints, a.expected, a.received, a.missing)`,
  );
  return [...fine, ...coarse, ...months];
}

async function rollupRows(db: Db) {
  return queryRows<Record<string, unknown>>(
    db,
    sql`select day::text, entity, source, meter, checkpoints, expected, received, missing
        from usage_completeness_days order by 1, 2, 3, 4`,
  );
}

const asNumbers = <T extends { expected: unknown; received: unknown; missing: unknown }>(
  rows: T[],
) =>
  rows.map((r) => ({
    ...r,
    expected: Number(r.expected),
    received: Number(r.received),
    missing: Number(r.missing),
  }));

const sums = sql`sum(c.expected_count) as expected, sum(c.received_count) as received,
  sum(greatest(c.expected_count - c.received_count, 0)) as missing`;
const inScope = (scope: KpiScope) =>
  sql`c.window_end >= ${scope.from.toISOString()}::timestamptz
    and c.window_end < ${scope.to.toISOString()}::timestamptz
    ${scope.entity ? sql`and c.entity = ${scope.entity}` : sql``}`;

/** The sums straight over the checkpoints, grouped one way, as plainly as SQL says it. */
async function rawCompleteness(db: Db, scope: KpiScope, set: GroupSet, unit: KpiGrouping["unit"]) {
  const g =
    set === "total"
      ? sql`null::text`
      : set === "entity"
        ? sql`c.entity`
        : sql`to_char(date_trunc(${unit}, c.window_end at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
  const rows = await queryRows<{
    g: string | null;
    expected: string;
    received: string;
    missing: string;
  }>(
    db,
    sql`select ${g} as g, ${sums} from usage_checkpoints c where ${inScope(scope)}
        group by 1 order by 1`,
  );
  return asNumbers(rows.map((r) => ({ set, ...r })));
}

async function rawBySourceMeter(db: Db, scope: KpiScope) {
  return asNumbers(
    await queryRows<{
      source: string;
      meter: string;
      expected: string;
      received: string;
      missing: string;
    }>(
      db,
      sql`select c.source, c.meter, ${sums} from usage_checkpoints c where ${inScope(scope)}
          group by 1, 2 order by 1, 2`,
    ),
  );
}

const ranges = [
  { name: "whole days", from: START, to: START + 3 * DAY },
  { name: "one whole day", from: START + DAY, to: START + 2 * DAY },
  { name: "mid-day to mid-day", from: START + 5 * HOUR + 17_000, to: START + 2 * DAY + 19 * HOUR },
  { name: "midnight to mid-day", from: START, to: START + 2 * DAY + 30 * MINUTE },
  { name: "inside one day", from: START + DAY + HOUR, to: START + DAY + 9 * HOUR + 30 * MINUTE },
  { name: "up to after the last window", from: START + 5 * HOUR, to: START + 3 * DAY + 2 * HOUR },
  ...monthRanges(START),
];
const scopes = ranges.flatMap(({ name, from, to }) =>
  [null, "EU"].map((entity) => ({
    name: `${name}${entity ? `, entity ${entity}` : ""}`,
    scope: { from: new Date(from), to: new Date(to), entity } as KpiScope,
  })),
);
const groupings: { set: GroupSet; unit: KpiGrouping["unit"]; label: string }[] = [
  { set: "total", unit: "day", label: "total" },
  { set: "total", unit: "hour", label: "total (hourly report)" },
  { set: "entity", unit: "day", label: "by entity" },
  { set: "bucket", unit: "day", label: "by day" },
  { set: "bucket", unit: "hour", label: "by hour" },
];
const cases = scopes.flatMap(({ name, scope }) =>
  groupings.map(({ set, unit, label }) => ({ name: `${name}, ${label}`, scope, set, unit })),
);

beforeAll(async () => {
  // One batch per day of windows, each reported at its window's end.
  for (let d = 0; d < 3; d++) {
    await ingest(
      t.db,
      windows
        .filter((w) => w.end > START + d * DAY && w.end <= START + (d + 1) * DAY)
        .map((w) => report(w, w, w.end)),
    );
  }
  const sparse = windows.filter((w) => w.end % HOUR !== 0 && w.end % HOUR !== 30 * MINUTE);
  for (let n = 0; n < sparse.length; n += 500) {
    await ingest(
      t.db,
      sparse.slice(n, n + 500).map((w) => report(w, w, w.end)),
    );
  }
}, 120_000);

describe("usage_completeness_days (the rollup)", () => {
  it("equals a recount of the checkpoints after inserts", async () => {
    expect(await rollupDrift(t.db)).toEqual([]);
    const [kept] = await queryRows<{ n: string }>(
      t.db,
      sql`select sum(checkpoints) as n from usage_completeness_days`,
    );
    expect(Number(kept?.n)).toBe(windows.length);
  });

  it("follows superseding re-reports, in the same statement as new windows", async () => {
    const superseding = windows.flatMap((w, n) =>
      n % 3 === 0
        ? [
            report(
              w,
              { expectedCount: w.expectedCount + 50, receivedCount: w.receivedCount - 30 },
              w.end + 10 * MINUTE,
            ),
            // Two re-reports of one window in one batch: the later wins.
            ...(n % 6 === 0
              ? [report(w, { expectedCount: 7, receivedCount: 9 }, w.end + 20 * MINUTE)]
              : []),
          ]
        : [],
    );
    // New windows alongside: the insert trigger and the update trigger both fire.
    const fresh = Array.from({ length: 9 }, (_, k) =>
      report(
        {
          source: "/billing-eu",
          entity: "UK",
          meter: "api_calls",
          end: START + (k * 8 + 1) * HOUR,
          expectedCount: 40,
          receivedCount: 31,
        },
        { expectedCount: 40, receivedCount: 31 },
        START + (k * 8 + 1) * HOUR,
      ),
    );
    const before = await rollupRows(t.db);
    await ingest(t.db, [...superseding, ...fresh]);
    expect(await rollupDrift(t.db)).toEqual([]);
    expect(await rollupRows(t.db)).not.toEqual(before);
  });

  it("does not move for stale re-reports (an older event time loses)", async () => {
    const before = await rollupRows(t.db);
    const stale = windows
      .filter((_, n) => n % 4 === 1)
      .map((w) => report(w, { expectedCount: 1, receivedCount: 1_000_000 }, w.end - 5 * MINUTE));
    await ingest(t.db, stale);
    expect(await rollupRows(t.db)).toEqual(before);
    expect(await rollupDrift(t.db)).toEqual([]);
  });
});

describe("usageCompleteness from the rollup", () => {
  it.each(cases)(
    "equals the sums over the raw checkpoints: $name",
    async ({ scope, set, unit }) => {
      const expected = await rawCompleteness(t.db, scope, set, unit);
      expect(expected.length).toBeGreaterThan(0);
      expect(asNumbers(await usageCompleteness(t.db, scope, { unit, sets: [set] }))).toEqual(
        expected,
      );
    },
  );

  it("answers all three groupings from one call, each as it would alone", async () => {
    const scope = {
      from: new Date(START + 5 * HOUR),
      to: new Date(START + 2 * DAY + 7 * HOUR),
      entity: null,
    };
    expect(
      asNumbers(
        await usageCompleteness(t.db, scope, { unit: "day", sets: ["total", "bucket", "entity"] }),
      ),
    ).toEqual(
      // Ordered by grouping set, then key.
      await rowsInOrder(["bucket", "entity", "total"] as const, (set) =>
        rawCompleteness(t.db, scope, set, "day"),
      ),
    );
  });

  it.each(scopes)("by source and meter equals the raw sums: $name", async ({ scope }) => {
    const expected = await rawBySourceMeter(t.db, scope);
    expect(expected.length).toBeGreaterThan(0);
    expect(asNumbers(await usageCompletenessBySourceMeter(t.db, scope))).toEqual(expected);
  });
});

describe("usage_completeness_days after deletes", () => {
  it("follows retention deletes, dropping the rows left without a checkpoint", async () => {
    // Every UK checkpoint and a third of the rest were received "long ago".
    await t.db.execute(sql`
      update events set received_at = ${iso(START)}::timestamptz
      where type = 'usage.checkpoint' and (data->>'entity' = 'UK' or seq % 3 = 0)`);
    const result = await runRetention(t.db, {
      now: new Date(START + 10 * DAY),
      maxAgeDays: 1,
      batchSize: 37,
    });
    expect(result.events).toBeGreaterThan(0);
    expect(await rollupDrift(t.db)).toEqual([]);
    const [uk] = await queryRows<{ n: string }>(
      t.db,
      sql`select count(*) as n from usage_completeness_days where entity = 'UK'`,
    );
    expect(Number(uk?.n)).toBe(0);

    const scope = { from: new Date(START + 7 * HOUR), to: new Date(START + 3 * DAY), entity: null };
    for (const set of ["total", "bucket", "entity"] as const) {
      expect(asNumbers(await usageCompleteness(t.db, scope, { unit: "day", sets: [set] }))).toEqual(
        await rawCompleteness(t.db, scope, set, "day"),
      );
    }
  });

  it("is emptied by a truncate", async () => {
    await t.db.execute(sql`truncate events cascade`);
    const [left] = await queryRows<{ n: string }>(
      t.db,
      sql`select (select count(*) from usage_completeness_days)
        + (select count(*) from usage_completeness_entity_days) as n`,
    );
    expect(Number(left?.n)).toBe(0);
  });
});
