import "server-only";
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";
import { groupingSets } from "./kpi-grouping";
import {
  entityIs,
  type CompletenessBySourceRow,
  type CompletenessRow,
  type KpiGrouping,
  type KpiScope,
} from "./kpis";
import { planRollupReads, rollupReadRows, unionAll } from "./rollup-reads";
import { partDayRows, splitWholeDays, timestamptz } from "./whole-days";

/*
 * Usage completeness (Σ expected, Σ received, Σ max(expected − received, 0) over the current
 * checkpoints whose window ends in the range) without reading every checkpoint of the range.
 * Over a month that is ~345,000 checkpoints; instead the whole UTC days come from
 * usage_completeness_days (the same sums per day, entity, source and meter, kept by triggers,
 * migration 0014) and only the part-days at either end from usage_checkpoints (or as their
 * day's rollup row minus the rest of that day, db/queries/whole-days.ts), through
 * usage_checkpoints_window_end_idx. The source × meter breakdown, with ~2,500 keys a day at
 * 50 M rows, also reads a month's rows for most of a month (usage_completeness_months,
 * migration 0023). The sums are the same integers, not an estimate.
 */

/** Negates an expression for rows taken away (sign -1). */
const signed = (value: SQL, sign: 1 | -1) => (sign === 1 ? value : sql`-${value}`);

/** The scope's checkpoints in a range as rows of the shape checkpointsOf returns. */
function checkpointsIn(scope: KpiScope, [from, to]: [Date, Date], sign: 1 | -1): SQL {
  return sql`
    select c.window_end, c.entity, c.source, c.meter, ${signed(sql`1::bigint`, sign)} as checkpoints,
      ${signed(sql`c.expected_count`, sign)} as expected, ${signed(sql`c.received_count`, sign)} as received,
      ${signed(sql`greatest(c.expected_count - c.received_count, 0)`, sign)} as missing
    from usage_checkpoints c
    where c.window_end >= ${timestamptz(from)} and c.window_end < ${timestamptz(to)}
      ${entityIs(sql`c.entity`, scope)}`;
}

/**
 * Rows of a rollup table (`day` or `month` keyed) standing for their checkpoints, at the
 * period's first instant (in the same UTC day, so the same day bucket, for a day row).
 */
function rollupRowsOf(
  scope: KpiScope,
  table: "usage_completeness_days" | "usage_completeness_entity_days" | "usage_completeness_months",
  which: SQL,
  sign: 1 | -1,
): SQL {
  const period = table === "usage_completeness_months" ? sql`d.month` : sql`d.day`;
  const bySourceMeter = table !== "usage_completeness_entity_days";
  return sql`
    select (${period}::timestamp at time zone 'UTC') as window_end, d.entity,
      ${bySourceMeter ? sql`d.source, d.meter` : sql`null::text as source, null::text as meter`},
      ${signed(sql`d.checkpoints`, sign)} as checkpoints, ${signed(sql`d.expected`, sign)} as expected,
      ${signed(sql`d.received`, sign)} as received, ${signed(sql`d.missing`, sign)} as missing
    from ${sql.raw(table)} d
    where ${which} ${entityIs(sql`d.entity`, scope)}`;
}

/** An empty range still needs the columns (the headline is then one row of nulls). */
const NO_CHECKPOINTS = sql`(select null::timestamptz as window_end, null::text as entity,
  null::text as source, null::text as meter, null::bigint as checkpoints, null::bigint as expected,
  null::bigint as received, null::bigint as missing where false)`;

const unionOf = (rows: SQL[]) => unionAll(rows, NO_CHECKPOINTS);

/**
 * The scope's checkpoints as rows of (window_end, entity, source, meter, checkpoints,
 * expected, received, missing): a rollup row stands for its day's checkpoints. An hourly
 * series needs each checkpoint's own hour, so with one wanted every row is a checkpoint. The
 * rollup per day and entity serves (a few rows a day, however many meters report).
 */
function checkpointsOf(scope: KpiScope, hourly: boolean): SQL {
  const { days, parts } = splitWholeDays(scope, !hourly);
  const table = "usage_completeness_entity_days";
  const rows: SQL[] = [];
  if (days)
    rows.push(rollupRowsOf(scope, table, sql`d.day >= ${days.first} and d.day < ${days.last}`, 1));
  rows.push(
    ...partDayRows(
      parts,
      (range, sign) => checkpointsIn(scope, range, sign),
      (day) => rollupRowsOf(scope, table, sql`d.day = ${day}`, 1),
    ),
  );
  return unionOf(rows);
}

/**
 * The scope's checkpoints with their source and meter, from the month and day rollups
 * (db/queries/rollup-reads.ts): the month holding most of the range, its days outside the
 * range taken away, the other days, and the raw part-days.
 */
function checkpointsBySourceMeter(scope: KpiScope): SQL {
  const rows = rollupReadRows(planRollupReads(scope), {
    raw: (range, sign) => checkpointsIn(scope, range, sign),
    days: (first, last, sign) =>
      rollupRowsOf(
        scope,
        "usage_completeness_days",
        sql`d.day >= ${first} and d.day < ${last}`,
        sign,
      ),
    months: (months) =>
      rollupRowsOf(scope, "usage_completeness_months", sql`d.month = any(${months})`, 1),
  });
  return unionOf(rows);
}

/** Σ expected, Σ received, Σ missing per grouping set, from the daily rollup where the grouping allows. */
export async function usageCompleteness(db: Db, scope: KpiScope, grouping: KpiGrouping) {
  const hourly = grouping.unit === "hour" && grouping.sets.includes("bucket");
  const g = groupingSets(grouping, sql`c.window_end`, sql`c.entity`);
  const rows = await queryRows<CompletenessRow & { checkpoints: string | number | null }>(
    db,
    // Sums as text: numeric past 2^53 is exact only as its digits (lib/contract ExactInteger).
    // A group with no checkpoint in the range has no sums, as over the checkpoints themselves,
    // though its rows may be there: shards of a key that add up to nothing, or a part-day's
    // day row less the rest of that day.
    sql`select ${g.columns}, sum(c.checkpoints) as checkpoints,
          case when sum(c.checkpoints) > 0 then sum(c.expected)::text end as expected,
          case when sum(c.checkpoints) > 0 then sum(c.received)::text end as received,
          case when sum(c.checkpoints) > 0 then sum(c.missing)::text end as missing
        from ${checkpointsOf(scope, hourly)} c
        group by ${g.groupBy} order by 1, 2`,
  );
  // A group whose checkpoints all lay in a part-day's subtracted rest, or whose shards cancel
  // out, sums to nothing: it has no checkpoint in the range, so no row (the headline always
  // has one).
  return rows
    .filter((r) => r.set === "total" || Number(r.checkpoints) > 0)
    .map(({ checkpoints: _, ...row }): CompletenessRow => row);
}

/** The same sums per source and meter, from the daily rollup. */
export function usageCompletenessBySourceMeter(db: Db, scope: KpiScope) {
  return queryRows<CompletenessBySourceRow>(
    db,
    sql`select c.source, c.meter, sum(c.expected)::text as expected, sum(c.received)::text as received,
          sum(c.missing)::text as missing
        from ${checkpointsBySourceMeter(scope)} c
        group by c.source, c.meter
        having sum(c.checkpoints) > 0
        order by c.source, c.meter`,
  );
}
