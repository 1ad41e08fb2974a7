import "server-only";
import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";
import { n, big, iso, spanEndIn, type CloseScope, type Num } from "./close";

/*
 * Close readiness, usage completeness of the period (check a). The period rules and helpers
 * are in ./close.ts.
 */

/** Sums of counts stay bigints: a month of high-volume meters can pass 2^53 events. */
export interface UsageTotals {
  checkpoints: number;
  expected: bigint;
  received: bigint;
}

/** Current checkpoints only: the table keeps just the winner of each window. */
export async function usageTotals(db: Db, s: CloseScope): Promise<UsageTotals> {
  const [row] = await queryRows<{ checkpoints: Num; expected: Num; received: Num }>(
    db,
    sql`select count(*) as checkpoints, sum(c.expected_count) as expected, sum(c.received_count) as received
        from usage_checkpoints c
        where c.entity = ${s.entity} and ${spanEndIn(sql`c.window_end`, s)}`,
  );
  return {
    checkpoints: n(row?.checkpoints ?? 0),
    expected: big(row?.expected ?? 0),
    received: big(row?.received ?? 0),
  };
}

export interface UsageShortfall {
  source: string;
  meter: string;
  expected: bigint;
  received: bigint;
  missing: bigint;
}

export interface UsageWindowShortfall extends UsageShortfall {
  windowStart: string;
  windowEnd: string;
}

/**
 * Source × meter pairs whose own completeness is below the target, worst (most missing) first.
 * The target is passed in parts per million so the comparison stays in integers.
 */
export async function usageShortfallsBySourceMeter(
  db: Db,
  s: CloseScope,
  targetPpm: number,
  limit: number,
): Promise<{ rows: UsageShortfall[]; total: number }> {
  const rows = await queryRows<{
    source: string;
    meter: string;
    expected: Num;
    received: Num;
    missing: Num;
    total: Num;
  }>(
    db,
    sql`select c.source, c.meter, sum(c.expected_count) as expected, sum(c.received_count) as received,
          sum(greatest(c.expected_count - c.received_count, 0)) as missing, count(*) over () as total
        from usage_checkpoints c
        where c.entity = ${s.entity} and ${spanEndIn(sql`c.window_end`, s)}
        group by c.source, c.meter
        having sum(c.received_count)::numeric * 1000000 < sum(c.expected_count)::numeric * ${targetPpm}
        order by missing desc, c.source, c.meter
        limit ${limit}`,
  );
  return {
    rows: rows.map((r) => ({
      source: r.source,
      meter: r.meter,
      expected: big(r.expected),
      received: big(r.received),
      missing: big(r.missing),
    })),
    total: n(rows[0]?.total ?? 0),
  };
}

/** The individual windows with the most events missing. */
export async function worstUsageWindows(
  db: Db,
  s: CloseScope,
  limit: number,
): Promise<UsageWindowShortfall[]> {
  const rows = await queryRows<{
    source: string;
    meter: string;
    window_start: Date | string;
    window_end: Date | string;
    expected: Num;
    received: Num;
    missing: Num;
  }>(
    db,
    sql`select c.source, c.meter, c.window_start, c.window_end, c.expected_count as expected,
          c.received_count as received, c.expected_count - c.received_count as missing
        from usage_checkpoints c
        where c.entity = ${s.entity} and ${spanEndIn(sql`c.window_end`, s)}
          and c.received_count < c.expected_count
        order by missing desc, c.window_end, c.source, c.meter
        limit ${limit}`,
  );
  return rows.map((r) => ({
    source: r.source,
    meter: r.meter,
    windowStart: iso(r.window_start),
    windowEnd: iso(r.window_end),
    expected: big(r.expected),
    received: big(r.received),
    missing: big(r.missing),
  }));
}
