import type { PageRequest } from "./keyset-list";
import type { KpiScope } from "./kpis";

export type { DrilldownCursor, DrilldownPage } from "./keyset-list";

/*
 * The records behind each overview KPI, for its drill-down page: what the telemetry received
 * in ./drilldown-usage.ts, the money side in ./drilldown-billing.ts, the team's work in
 * ./drilldown-work.ts. Every list selects exactly the rows its KPI in db/queries/kpis.ts
 * aggregates (same range column, same entity rule, the same subqueries), so paging through a
 * drill-down counts the KPI's number again. Pages are keyset-paginated (./keyset-list.ts),
 * each list a declaration of one shape. Numbers that may exceed 2^53 (money in minor units)
 * come back as text.
 */

/** What chooses a drill-down's rows: the KPI's range and entity, and which of its views. */
export interface DrilldownFilter<V extends string = string> {
  scope: KpiScope;
  view?: V;
}

export interface DrilldownParams<V extends string = string>
  extends DrilldownFilter<V>, PageRequest {}

/** A timestamp column as a raw query returns it: a Date or its text, depending on the engine. */
export type Timestamp = Date | string;
