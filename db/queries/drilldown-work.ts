import "server-only";
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { millisBetween } from "../schema/durations";
import { OPEN_STATUS_SQL } from "../schema/exceptions";
import type { DrilldownFilter as Filter, DrilldownParams, Timestamp } from "./drilldown";
import { countRows, listPage, type KeysetList } from "./keyset-list";
import { entityIs, inRange, type KpiScope } from "./kpis";

/*
 * The drill-downs of the KPIs about the team's work, as ./drilldown.ts does for telemetry:
 * the exceptions open now and the manual interventions in the audit log.
 */

// ── Open exceptions (now, not limited to the range), oldest first ───────────────────────

export interface OpenExceptionRow {
  id: string;
  type: string;
  title: string;
  entity: string | null;
  severity: string;
  status: string;
  opened_at: Timestamp;
  age_ms: number;
  amount_minor: string | null;
  currency: string | null;
}

const openExceptions: KeysetList<Filter, Filter & { now: Date }> = {
  keyset: { sort: [sql`x.opened_at`, "timestamptz"], id: [sql`x.id`, "uuid"], order: "asc" },
  columns: ({
    now,
  }) => sql`x.id::text as id, x.type, x.title, x.entity, x.severity, x.status, x.opened_at,
    ${millisBetween(sql`${now.toISOString()}::timestamptz`, sql`x.opened_at`)} as age_ms,
    x.amount_minor::text as amount_minor, x.currency`,
  from: sql`exceptions x`,
  where: ({ scope }) => sql`x.status in ${OPEN_STATUS_SQL} ${entityIs(sql`x.entity`, scope)}`,
};

export function listOpenExceptions(db: Db, params: DrilldownParams & { now: Date }) {
  return listPage<OpenExceptionRow, Filter, Filter & { now: Date }>(db, openExceptions, params);
}

export function countOpenExceptions(db: Db, scope: KpiScope): Promise<number> {
  return countRows(db, openExceptions, { scope });
}

// ── Manual interventions: human workflow actions in the audit log ───────────────────────

export interface InterventionRow {
  id: string;
  at: Timestamp;
  actor_label: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
}

interface InterventionFilter extends Filter {
  actionPrefixes: readonly string[];
}

/** The KPI's rule (db/queries/kpis.ts manualInterventions): an action on an exception takes its entity. */
function interventionScope({ scope, actionPrefixes }: InterventionFilter): SQL {
  // Unescaped like the KPI's own query, so both match exactly the same actions.
  const patterns = sql.join(
    actionPrefixes.map((p) => sql`${`${p}%`}`),
    sql`, `,
  );
  return sql`a.actor_type = 'user' and ${inRange(sql`a.at`, scope)} and a.action like any (array[${patterns}]::text[])
    ${
      scope.entity
        ? sql`and (a.after->>'entity' = ${scope.entity} or a.before->>'entity' = ${scope.entity}
            or exists (select 1 from exceptions x where a.target_type = 'exception' and x.id::text = a.target_id
              and x.entity = ${scope.entity}))`
        : sql``
    }`;
}

const interventions: KeysetList<InterventionFilter> = {
  keyset: { sort: [sql`a.at`, "timestamptz"], id: [sql`a.id`, "bigint"], order: "desc" },
  columns: () => sql`a.id::text as id, a.at, a.actor_label, a.action, a.target_type, a.target_id`,
  from: sql`audit_log a`,
  where: interventionScope,
};

export function listInterventions(
  db: Db,
  params: DrilldownParams & { actionPrefixes: readonly string[] },
) {
  return listPage<InterventionRow, InterventionFilter>(db, interventions, params);
}

export function countInterventions(
  db: Db,
  scope: KpiScope,
  actionPrefixes: readonly string[],
): Promise<number> {
  return countRows(db, interventions, { scope, actionPrefixes });
}
