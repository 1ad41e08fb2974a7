import "server-only";
import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";
import { OPEN_STATUS_SQL } from "../schema";

/* What the exception conditions of alert rules read (lib/alerts/measure-exceptions.ts). */

export interface NewException {
  id: string;
  type: string;
  problemKey: string;
  entity: string | null;
  severity: string;
  title: string;
  /** The incident of the exception's cause, if it has one, and its title. */
  incidentId: string | null;
  incidentTitle: string | null;
}

/**
 * Open exceptions opened at or after `since` whose severity is one of `severities`, of one
 * type (null: any) and entity (null: any).
 */
export async function openExceptionsOpenedSince(
  db: Db,
  params: {
    since: Date;
    severities: readonly string[];
    type: string | null;
    entity: string | null;
  },
): Promise<NewException[]> {
  const severities = sql.join(
    params.severities.map((s) => sql`${s}`),
    sql`, `,
  );
  return queryRows<NewException>(
    db,
    sql`select x.id, x.type, x.problem_key as "problemKey", x.entity, x.severity, x.title,
          x.incident_id as "incidentId", i.title as "incidentTitle"
        from exceptions x left join incidents i on i.id = x.incident_id
        where x.status in ${OPEN_STATUS_SQL} and x.opened_at >= ${params.since.toISOString()}::timestamptz
          and x.severity in (${severities})
          ${params.type === null ? sql`` : sql`and x.type = ${params.type}`}
          ${params.entity === null ? sql`` : sql`and x.entity = ${params.entity}`}
        order by x.opened_at, x.id`,
  );
}

/**
 * Open exceptions per entity ('' for those without one) opened before their type's cutoff
 * (now less the type's SLA breach target): those past their SLA.
 */
export async function slaBreachCountsByEntity(
  db: Db,
  cutoffs: readonly { type: string; before: Date }[],
): Promise<{ entity: string; breached: number }[]> {
  if (cutoffs.length === 0) return [];
  const cutoff = sql.join(
    cutoffs.map((c) => sql`when ${c.type} then ${c.before.toISOString()}::timestamptz`),
    sql` `,
  );
  const types = sql.join(
    cutoffs.map((c) => sql`${c.type}`),
    sql`, `,
  );
  const rows = await queryRows<{ entity: string; breached: string | number }>(
    db,
    sql`select coalesce(entity, '') as entity, count(*) as breached from exceptions
        where status in ${OPEN_STATUS_SQL} and type in (${types})
          and opened_at < (case type ${cutoff} end)
        group by 1`,
  );
  return rows.map((r) => ({ entity: r.entity, breached: Number(r.breached) }));
}

/**
 * The open exceptions' amount at risk in the reporting currency per entity ('' for those
 * without one), of the given types: Σ |converted amount|, exact as numeric text. Those with no
 * converted amount add nothing.
 */
export async function amountAtRiskByEntity(
  db: Db,
  types: readonly string[],
): Promise<{ entity: string; minor: string }[]> {
  if (types.length === 0) return [];
  const list = sql.join(
    types.map((t) => sql`${t}`),
    sql`, `,
  );
  return queryRows<{ entity: string; minor: string }>(
    db,
    sql`select coalesce(entity, '') as entity, coalesce(sum(abs(reporting_amount_minor)), 0)::text as minor
        from exceptions
        where status in ${OPEN_STATUS_SQL} and type in (${list})
        group by 1`,
  );
}

/**
 * The amount at risk of open exceptions of the given types per entity ('' for none) at each
 * instant from `from` to `to`, every `stepMs`, from when each was opened and closed: Σ |its
 * amount in the reporting currency|, exact as numeric text. The amount is the one stored now
 * (converted at the rate of the day it opened); an exception closed and reopened counts as open
 * from its first opening, as in openExceptionCountsOver.
 */
export async function amountAtRiskOver(
  db: Db,
  params: { types: readonly string[]; from: Date; to: Date; stepMs: number },
): Promise<{ at: Date; entity: string; minor: string }[]> {
  if (params.types.length === 0) return [];
  const list = sql.join(
    params.types.map((t) => sql`${t}`),
    sql`, `,
  );
  const rows = await queryRows<{ at: string | Date; entity: string; minor: string }>(
    db,
    sql`select g.at, coalesce(e.entity, '') as entity,
          coalesce(sum(abs(e.reporting_amount_minor)), 0)::text as minor
        from generate_series(${params.from.toISOString()}::timestamptz, ${params.to.toISOString()}::timestamptz,
          make_interval(secs => ${params.stepMs / 1000})) as g(at)
        join exceptions e on e.type in (${list}) and e.opened_at <= g.at
          and (e.closed_at is null or e.closed_at > g.at)
          and e.reporting_amount_minor is not null
        group by 1, 2 order by 1, 2`,
  );
  return rows.map((r) => ({ at: new Date(r.at), entity: r.entity, minor: r.minor }));
}
