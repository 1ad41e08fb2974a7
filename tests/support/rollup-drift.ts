import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { queryRows } from "@/db/rows";

/*
 * Every additive KPI rollup against a recount from the rows it is kept from: the event lag
 * tables from `events`, the usage completeness ones from `usage_checkpoints`. A rollup's
 * figure for a key is the sum of its shards' rows (db/schema/columns.ts rollupShard), and a
 * key whose shards add up to nothing is no key; an increment lost or applied twice under
 * concurrent batches, or a shard's rows read as a whole, shows as a line here.
 */

const DAY = "(received_at at time zone 'UTC')::date";
const ENTITY = "coalesce(entity, '')";
const WINDOW_DAY = "(window_end at time zone 'UTC')::date";
const USAGE_SUMS = ["checkpoints", "expected", "received", "missing"];
const USAGE_RECOUNT =
  "count(*), sum(expected_count), sum(received_count), sum(greatest(expected_count - received_count, 0))";

const ROLLUPS: { table: string; keys: string[]; sums: string[]; recount: string }[] = [
  {
    table: "event_lag_days",
    keys: ["day", "entity", "bucket"],
    sums: ["events"],
    recount: `select ${DAY}, ${ENTITY}, lag_bucket, count(*) from events group by 1, 2, 3`,
  },
  {
    table: "event_lag_hours",
    keys: ["hour", "entity", "bucket"],
    sums: ["events"],
    recount: `select date_trunc('hour', received_at, 'UTC'), ${ENTITY}, lag_bucket, count(*)
      from events group by 1, 2, 3`,
  },
  {
    table: "event_lag_fine_days",
    keys: ["fine", "day", "entity"],
    sums: ["events"],
    recount: `select closeline_lag_fine_bucket(lag_ms), ${DAY}, ${ENTITY}, count(*)
      from events group by 1, 2, 3`,
  },
  {
    table: "event_lag_value_days",
    keys: ["fine", "day", "entity", "lag_ms"],
    sums: ["events"],
    recount: `select closeline_lag_fine_bucket(lag_ms), ${DAY}, ${ENTITY}, lag_ms, count(*)
      from events group by 1, 2, 3, 4`,
  },
  {
    table: "event_lag_months",
    keys: ["month", "entity", "bucket"],
    sums: ["events"],
    recount: `select date_trunc('month', ${DAY})::date, ${ENTITY}, lag_bucket, count(*)
      from events group by 1, 2, 3`,
  },
  {
    table: "usage_completeness_days",
    keys: ["day", "entity", "source", "meter"],
    sums: USAGE_SUMS,
    recount: `select ${WINDOW_DAY}, entity, source, meter, ${USAGE_RECOUNT}
      from usage_checkpoints group by 1, 2, 3, 4`,
  },
  {
    table: "usage_completeness_entity_days",
    keys: ["day", "entity"],
    sums: USAGE_SUMS,
    recount: `select ${WINDOW_DAY}, entity, ${USAGE_RECOUNT} from usage_checkpoints group by 1, 2`,
  },
  {
    table: "usage_completeness_months",
    keys: ["month", "entity", "source", "meter"],
    sums: USAGE_SUMS,
    recount: `select date_trunc('month', ${WINDOW_DAY})::date, entity, source, meter, ${USAGE_RECOUNT}
      from usage_checkpoints group by 1, 2, 3, 4`,
  },
];

/** The lines that differ, as `<table> kept|actual (key…, sums…)`; none when every rollup is exact. */
export async function rollupDrift(db: Db): Promise<string[]> {
  const lines: string[] = [];
  for (const { table, keys, sums, recount } of ROLLUPS) {
    const summed = `select ${keys.join(", ")}, ${sums.map((s) => `sum(${s})`).join(", ")}
      from ${table} group by ${keys.join(", ")}
      having ${sums.map((s) => `sum(${s}) <> 0`).join(" or ")}`;
    const rows = await queryRows<{ line: string }>(
      db,
      sql.raw(`
        select '${table} kept ' || x::text as line from ((${summed}) except (${recount})) x
        union all
        select '${table} actual ' || x::text from ((${recount}) except (${summed})) x
        order by 1`),
    );
    lines.push(...rows.map((r) => r.line));
  }
  // Every day with events has a version, bumped by the transactions that changed it.
  const unversioned = await queryRows<{ line: string }>(
    db,
    sql.raw(`
      select 'event_lag_day_versions missing ' || d::text as line
      from (select distinct ${DAY} as day from events) d
      where not exists (select 1 from event_lag_day_versions v where v.day = d.day)`),
  );
  return [...lines, ...unversioned.map((r) => r.line)];
}
