import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";
import { accountingPeriods, materialityThresholds, users } from "../schema";
import { ts } from "./close-scope";

/*
 * Accounting periods (closed or not) and the materiality thresholds of an entity. The
 * checks of close readiness are in ./close-*.ts, one file per check.
 */

export interface PeriodState {
  id: string;
  closedAt: Date | null;
  closedBy: string | null;
  closedByEmail: string | null;
}

export async function findAccountingPeriod(
  db: Db,
  entity: string,
  start: Date,
): Promise<PeriodState | null> {
  const [row] = await db
    .select({
      id: accountingPeriods.id,
      closedAt: accountingPeriods.closedAt,
      closedBy: accountingPeriods.closedBy,
      closedByEmail: users.email,
    })
    .from(accountingPeriods)
    .leftJoin(users, eq(users.id, accountingPeriods.closedBy))
    .where(and(eq(accountingPeriods.entity, entity), eq(accountingPeriods.periodStart, start)))
    .limit(1);
  return row ?? null;
}

/** Whether the instant falls in a period of the entity marked closed (for retroactive checks). */
export async function isInClosedPeriod(db: Db, entity: string, at: Date): Promise<boolean> {
  const rows = await queryRows<{ one: number }>(
    db,
    sql`select 1 as one from accounting_periods p
        where p.entity = ${entity} and p.closed_at is not null
          and p.period_start <= ${ts(at)} and p.period_end > ${ts(at)}
        limit 1`,
  );
  return rows.length > 0;
}

export async function listMaterialityThresholds(db: Db, entity: string) {
  return db
    .select()
    .from(materialityThresholds)
    .where(eq(materialityThresholds.entity, entity))
    .orderBy(asc(materialityThresholds.currency));
}

/** Currencies the entity has money in, so materiality can be set for each. */
export async function entityCurrencies(db: Db, entity: string): Promise<string[]> {
  const rows = await queryRows<{ currency: string }>(
    db,
    sql`select currency from (
          select distinct currency from invoices where entity = ${entity}
          union select distinct currency from reconciliation_results where entity = ${entity}
          union select distinct currency from contract_amendments where entity = ${entity}
          union select currency from materiality_thresholds where entity = ${entity}
        ) c order by currency`,
  );
  return rows.map((r) => r.currency);
}
