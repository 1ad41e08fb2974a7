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
    sql`select id, type, problem_key as "problemKey", entity, severity, title from exceptions
        where status in ${OPEN_STATUS_SQL} and opened_at >= ${params.since.toISOString()}::timestamptz
          and severity in (${severities})
          ${params.type === null ? sql`` : sql`and type = ${params.type}`}
          ${params.entity === null ? sql`` : sql`and entity = ${params.entity}`}
        order by opened_at, id`,
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
