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
import { partDayRows, splitWholeDays, timestamptz } from "./whole-days";

/*
 * Usage completeness (Σ expected, Σ received, Σ max(expected − received, 0) over the current
 * checkpoints whose window ends in the range) without reading every checkpoint of the range.
 * Over a month that is ~345,000 checkpoints; instead the whole UTC days come from
 * usage_completeness_days (the same sums per day, entity, source and meter, kept by triggers,
 * migration 0014) and only the part-days at either end from usage_checkpoints (or as their
 * day's rollup row minus the rest of that day, db/queries/whole-days.ts), through
 * usage_checkpoints_window_end_idx. The sums are the same integers, not an estimate.
 */

/**
 * The scope's checkpoints as rows of (window_end, entity, source, meter, expected, received,
 * missing): a rollup row stands for its day's checkpoints, at the day's first instant, which
 * is in the same UTC day and so in the same day bucket. An hourly series needs each
 * checkpoint's own hour, so with one wanted every row is a checkpoint. Without the source ×
 * meter breakdown, the rollup per day and entity alone serves (a few rows a day, however many
 * meters report).
 */
function checkpointsOf(scope: KpiScope, hourly: boolean, bySourceMeter: boolean): SQL {
  const { days, parts } = splitWholeDays(scope, !hourly);
  // `sign` -1: checkpoints taken away from their day's rollup row (a part-day read via its day).
  const checkpoints = ([from, to]: [Date, Date], sign: 1 | -1) => {
    const signed = (value: SQL) => (sign === 1 ? value : sql`-${value}`);
    return sql`
    select c.window_end, c.entity, c.source, c.meter, ${signed(sql`1::bigint`)} as checkpoints,
      ${signed(sql`c.expected_count`)} as expected, ${signed(sql`c.received_count`)} as received,
      ${signed(sql`greatest(c.expected_count - c.received_count, 0)`)} as missing
    from usage_checkpoints c
    where c.window_end >= ${timestamptz(from)} and c.window_end < ${timestamptz(to)}
      ${entityIs(sql`c.entity`, scope)}`;
  };
  const rollup = (which: SQL) => sql`
    select (d.day::timestamp at time zone 'UTC') as window_end, d.entity,
      ${bySourceMeter ? sql`d.source, d.meter` : sql`null::text as source, null::text as meter`},
      d.checkpoints, d.expected, d.received, d.missing
    from ${sql.raw(bySourceMeter ? "usage_completeness_days" : "usage_completeness_entity_days")} d
    where ${which} ${entityIs(sql`d.entity`, scope)}`;

  const rows: SQL[] = [];
  if (days) rows.push(rollup(sql`d.day >= ${days.first} and d.day < ${days.last}`));
  rows.push(...partDayRows(parts, checkpoints, (day) => rollup(sql`d.day = ${day}`)));
  // An empty range still needs the columns (the headline is then one row of nulls).
  if (rows.length === 0)
    return sql`(select null::timestamptz as window_end, null::text as entity, null::text as source,
      null::text as meter, null::bigint as checkpoints, null::bigint as expected,
      null::bigint as received, null::bigint as missing where false)`;
  return sql`(${sql.join(rows, sql` union all `)})`;
}

/** Σ expected, Σ received, Σ missing per grouping set, from the daily rollup where the grouping allows. */
export async function usageCompleteness(db: Db, scope: KpiScope, grouping: KpiGrouping) {
  const hourly = grouping.unit === "hour" && grouping.sets.includes("bucket");
  const g = groupingSets(grouping, sql`c.window_end`, sql`c.entity`);
  const rows = await queryRows<CompletenessRow & { checkpoints: string | number | null }>(
    db,
    sql`select ${g.columns}, sum(c.checkpoints) as checkpoints, sum(c.expected) as expected,
          sum(c.received) as received, sum(c.missing) as missing
        from ${checkpointsOf(scope, hourly, false)} c
        group by ${g.groupBy} order by 1, 2`,
  );
  // A group whose checkpoints all lay in a part-day's subtracted rest sums to nothing: it has
  // no checkpoint in the range, so no row (the headline always has one).
  return rows
    .filter((r) => r.set === "total" || Number(r.checkpoints) > 0)
    .map(({ checkpoints: _, ...row }): CompletenessRow => row);
}

/** The same sums per source and meter, from the daily rollup. */
export function usageCompletenessBySourceMeter(db: Db, scope: KpiScope) {
  return queryRows<CompletenessBySourceRow>(
    db,
    sql`select c.source, c.meter, sum(c.expected) as expected, sum(c.received) as received,
          sum(c.missing) as missing
        from ${checkpointsOf(scope, false, true)} c
        group by c.source, c.meter
        having sum(c.checkpoints) > 0
        order by c.source, c.meter`,
  );
}
