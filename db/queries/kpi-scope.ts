import "server-only";
/*
 * What a KPI query is asked: the range, the entity and how to group. Its own module so the
 * query helpers (kpi-grouping.ts, whole-days.ts) and the queries (kpis.ts) share it without
 * importing each other.
 */

export interface KpiScope {
  from: Date;
  to: Date;
  entity: string | null;
}

/** A grouping set: the headline (one row), the series (one row per UTC hour or day) or per entity. */
export type GroupSet = "total" | "bucket" | "entity";

/** A series bucket: a UTC hour, a UTC day, or an ISO week (Monday 00:00 UTC to the next). */
export type SeriesUnit = "hour" | "day" | "week";

/** Which of the three groupings a query returns, all from one scan (GROUPING SETS). */
export interface KpiGrouping {
  unit: SeriesUnit;
  sets: readonly GroupSet[];
}

/** Every grouped row says which grouping it belongs to and its key (null for the headline). */
export interface Grouped {
  set: GroupSet;
  g: string | null;
}
