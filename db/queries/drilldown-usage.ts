import "server-only";
import { sql } from "drizzle-orm";
import type { Db } from "../client";
import type { DrilldownFilter, DrilldownParams, Timestamp } from "./drilldown";
import { countRows, listPage, summarizeRows, type KeysetList } from "./keyset-list";
import { entityIs, inRange, type KpiScope } from "./kpis";

/*
 * The drill-downs of the KPIs about what the telemetry received (./drilldown.ts says what
 * every drill-down list keeps to): usage checkpoints and event lag.
 */

// ── Usage completeness: the current checkpoints whose window ends in the range ───────────

export type CheckpointView = "all" | "incomplete";

export interface CheckpointRow {
  source: string;
  entity: string;
  meter: string;
  window_start: Timestamp;
  window_end: Timestamp;
  expected: number;
  received: number;
  missing: number;
  event_seq: string;
}

const checkpoints: KeysetList<DrilldownFilter<CheckpointView>> = {
  keyset: {
    sort: [sql`c.window_end`, "timestamptz"],
    id: [sql`c.event_seq`, "bigint"],
    order: "desc",
  },
  columns: () => sql`c.source, c.entity, c.meter, c.window_start, c.window_end,
    c.expected_count::float8 as expected, c.received_count::float8 as received,
    greatest(c.expected_count - c.received_count, 0)::float8 as missing,
    c.event_seq::text as event_seq`,
  from: sql`usage_checkpoints c`,
  where: ({ scope, view }) => {
    const narrowed = view === "incomplete" ? sql`and c.received_count < c.expected_count` : sql``;
    return sql`${inRange(sql`c.window_end`, scope)} ${entityIs(sql`c.entity`, scope)}
      ${narrowed}`;
  },
};

export function listCheckpoints(db: Db, params: DrilldownParams<CheckpointView>) {
  return listPage<CheckpointRow, DrilldownFilter<CheckpointView>>(db, checkpoints, params);
}

/** The sums are decimal digits: exact past 2^53, where a double would drop the last digit. */
export interface CheckpointSummary {
  checkpoints: number;
  incomplete: number;
  expected: string;
  received: string;
  missing: string;
}

export async function summarizeCheckpoints(db: Db, scope: KpiScope): Promise<CheckpointSummary> {
  const [row] = await summarizeRows<CheckpointSummary, DrilldownFilter<CheckpointView>>(
    db,
    checkpoints,
    { scope, view: "all" },
    sql`count(*)::int as checkpoints,
      count(*) filter (where c.received_count < c.expected_count)::int as incomplete,
      coalesce(sum(c.expected_count), 0)::text as expected,
      coalesce(sum(c.received_count), 0)::text as received,
      coalesce(sum(greatest(c.expected_count - c.received_count, 0)), 0)::text as missing`,
  );
  return row!;
}

// ── Event lag: events received in the range, slowest first ─────────────────────────────

export interface LaggedEventRow {
  seq: string;
  source: string;
  event_id: string;
  type: string;
  entity: string | null;
  time: Timestamp;
  received_at: Timestamp;
  lag_ms: number;
}

const laggedEvents: KeysetList<DrilldownFilter> = {
  keyset: { sort: [sql`e.lag_ms`, "float8"], id: [sql`e.seq`, "bigint"], order: "desc" },
  columns: () => sql`e.seq::text as seq, e.source, e.event_id, e.type, e.entity as entity, e.time,
    e.received_at, e.lag_ms as lag_ms`,
  from: sql`events e`,
  where: ({ scope }) =>
    sql`${inRange(sql`e.received_at`, scope)} ${entityIs(sql`e.entity`, scope)}`,
};

export function listLaggedEvents(db: Db, params: DrilldownParams) {
  return listPage<LaggedEventRow, DrilldownFilter>(db, laggedEvents, params);
}

export function countLaggedEvents(db: Db, scope: KpiScope): Promise<number> {
  return countRows(db, laggedEvents, { scope });
}
