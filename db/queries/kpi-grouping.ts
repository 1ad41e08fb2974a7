import "server-only";
import { sql, type SQL } from "drizzle-orm";
import type { GroupSet, KpiGrouping, KpiScope } from "./kpi-scope";
import { timestamptz } from "./whole-days";

/*
 * How a KPI query groups its records: not at all (the headline), by UTC hour or day (a
 * series) and by entity, as one GROUPING SETS pass or, for the percentile KPIs, as one
 * index range per group.
 */

/** Series buckets are labelled by their start as ISO text. */
export const BUCKET_LABEL = `'YYYY-MM-DD"T"HH24:MI:SS"Z"'`;

/** The UTC hour, day or ISO week (from Monday) a timestamp falls in (a timestamp without time zone). */
export const bucketStart = (unit: KpiGrouping["unit"], time: SQL) =>
  sql`date_trunc('${sql.raw(unit)}', ${time} at time zone 'UTC')`;

/**
 * The `set` and `g` columns and the GROUP BY clause that compute the chosen groupings in
 * one pass. `time` and `entity` must be plain column expressions (no bound parameters), as
 * the select list repeats them and PostgreSQL matches them to the GROUP BY by text.
 */
export function groupingSets(grouping: KpiGrouping, time: SQL, entity: SQL) {
  const bucket = bucketStart(grouping.unit, time);
  const grouped = (["bucket", "entity"] as const)
    .filter((set) => grouping.sets.includes(set))
    .map((set) => ({
      set,
      expr: set === "bucket" ? bucket : entity,
      label: set === "bucket" ? sql`to_char(${bucket}, ${sql.raw(BUCKET_LABEL)})` : entity,
    }));
  const groupBy = sql`grouping sets (${sql.join(
    grouping.sets.map((set) =>
      set === "total" ? sql`()` : sql`(${grouped.find((x) => x.set === set)!.expr})`,
    ),
    sql`, `,
  )})`;
  if (grouped.length === 0) return { columns: sql`'total' as set, null::text as g`, groupBy };
  // grouping(a, b) has one bit per argument, the first the most significant, set when that
  // argument is not grouped on: so each grouping set has its own value.
  const all = (1 << grouped.length) - 1;
  const valueOf = (set: GroupSet) => {
    const i = grouped.findIndex((x) => x.set === set);
    return sql.raw(String(i < 0 ? all : all & ~(1 << (grouped.length - 1 - i))));
  };
  const args = sql`grouping(${sql.join(
    grouped.map((x) => x.expr),
    sql`, `,
  )})`;
  const columns = sql`case ${args} ${sql.join(
    grouping.sets.map((set) => sql`when ${valueOf(set)} then '${sql.raw(set)}'`),
    sql` `,
  )} end as set,
    case ${args} ${sql.join(
      grouped.map((x) => sql`when ${valueOf(x.set)} then ${x.label}`),
      sql` `,
    )} end as g`;
  return { columns, groupBy };
}

/*
 * A KPI's aggregates per grouping set, each group read from its own index range.
 *
 * GROUPING SETS reads the records once but sorts them again for every set, and every
 * group's percentile_cont starts a sort of its own: over a month of invoices that is most of
 * the query (about 35 ms of 40 at 11.8 M rows, 2 CPUs). Here the headline reads the
 * (time, entity, …) index over the range, each series bucket the same index over its own
 * hour or day, and each entity the (entity, time, …) index over the range, so the only sort
 * is percentile_cont's own over the values of one group. The same records, the same
 * aggregates, so the same numbers; about five times faster (bench/README.md).
 */

/** A table the per-group reads scan, aliased `x`, and the columns they range over. */
export interface GroupedSource {
  /** `some_table x`. */
  table: SQL;
  /** The record's time, e.g. `x.issued_at`; an index must lead with it. */
  time: SQL;
  /** The record's entity, e.g. `x.entity`; an index must lead with it, then `time`. */
  entity: SQL;
}

const UNIT_INTERVAL = {
  hour: sql.raw(`interval '1 hour'`),
  day: sql.raw(`interval '1 day'`),
  week: sql.raw(`interval '7 days'`),
};

/**
 * Rows of `set`, `g` and the columns of `aggregates` (over `x`), ordered by set and group
 * like a GROUPING SETS query: the headline always, buckets and entities only where some
 * record falls (`nonEmpty`, a count among the aggregates, is above zero).
 */
export function perGroupRanges(
  scope: KpiScope,
  grouping: KpiGrouping,
  source: GroupedSource,
  aggregates: SQL,
  nonEmpty: string,
): SQL {
  const { table, time, entity } = source;
  const from = timestamptz(scope.from);
  const to = timestamptz(scope.to);
  const scopeEntity = scope.entity ? sql`and ${entity} = ${scope.entity}` : sql``;
  const over = (start: SQL, end: SQL, which: SQL) =>
    sql`(select ${aggregates} from ${table} where ${time} >= ${start} and ${time} < ${end} ${which})`;
  const filled = sql`where a.${sql.identifier(nonEmpty)} > 0`;

  const parts: SQL[] = [];
  if (grouping.sets.includes("total")) {
    parts.push(
      sql`select 'total' as set, null::text as g, a.* from ${over(from, to, scopeEntity)} a`,
    );
  }
  if (grouping.sets.includes("bucket")) {
    const step = UNIT_INTERVAL[grouping.unit];
    const start = sql`b.start at time zone 'UTC'`;
    const end = sql`(b.start + ${step}) at time zone 'UTC'`;
    parts.push(sql`select 'bucket' as set, to_char(b.start, ${sql.raw(BUCKET_LABEL)}) as g, a.*
      from generate_series(
        date_trunc('${sql.raw(grouping.unit)}', ${from} at time zone 'UTC'),
        (${to} at time zone 'UTC') - interval '1 microsecond',
        ${step}
      ) as b(start)
      cross join lateral ${over(sql`greatest(${start}, ${from})`, sql`least(${end}, ${to})`, scopeEntity)} a
      ${filled}`);
  }
  if (grouping.sets.includes("entity")) {
    // Every entity the table holds, by skipping through its entity index (one probe per
    // entity), or just the scope's.
    const entities = scope.entity
      ? sql`(select ${scope.entity}::text as entity)`
      : sql`(with recursive e(entity) as (
            select min(${entity}) from ${table}
            union all
            select (select min(${entity}) from ${table} where ${entity} > e.entity)
            from e where e.entity is not null
          ) select entity from e where entity is not null)`;
    parts.push(sql`select 'entity' as set, e.entity as g, a.*
      from ${entities} e
      cross join lateral ${over(from, to, sql`and ${entity} = e.entity`)} a
      ${filled}`);
  }
  return sql`${sql.join(parts, sql` union all `)} order by 1, 2`;
}
