import "server-only";
import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows, firstOrNull } from "../rows";
import { accountingPeriods, materialityThresholds, users } from "../schema";

/*
 * The accounting period of a close: its scope and how things fall in it, the periods marked
 * closed and the materiality thresholds. The SQL of the readiness checks is in
 * ./close-usage.ts, ./close-invoices.ts and ./close-pending-work.ts (lib/close/ decides what
 * it means). Every query is for one entity and one accounting period [start, end).
 *
 * Two kinds of time are compared with the period differently:
 * - an instant (an invoice's issuedAt, an amendment's effectiveFrom) is in the period when
 *   start <= t < end;
 * - the end of a span (a usage window's windowEnd, a reconciliation result's periodEnd) is in the
 *   period when start < t <= end: October's last hourly window ends at 1 November 00:00 and
 *   October's reconciliation has periodEnd 1 November 00:00, and both belong to October's close.
 *
 * Money stays in integer minor units and is only ever compared within one currency.
 */

export interface CloseScope {
  entity: string;
  start: Date;
  end: Date;
}

export type Num = string | number | null;
/** A count as a number; none (null) is 0. */
export const n = (v: Num): number => (v === null ? 0 : Number(v));
/** A sum of counts, exact past 2^53: the database's integer digits as a bigint. */
export const big = (v: Num): bigint => (v === null ? 0n : BigInt(String(v)));
export const iso = (v: Date | string): string =>
  (v instanceof Date ? v : new Date(v)).toISOString();
export const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;

export const instantIn = (column: SQL, s: CloseScope) =>
  sql`${column} >= ${ts(s.start)} and ${column} < ${ts(s.end)}`;
export const spanEndIn = (column: SQL, s: CloseScope) =>
  sql`${column} > ${ts(s.start)} and ${column} <= ${ts(s.end)}`;

// ── Periods and materiality ────────────────────────────────────────────────────────────────

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
  return firstOrNull(
    db
      .select({
        id: accountingPeriods.id,
        closedAt: accountingPeriods.closedAt,
        closedBy: accountingPeriods.closedBy,
        closedByEmail: users.email,
      })
      .from(accountingPeriods)
      .leftJoin(users, eq(users.id, accountingPeriods.closedBy))
      .where(and(eq(accountingPeriods.entity, entity), eq(accountingPeriods.periodStart, start)))
      .limit(1),
  );
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
          -- A threshold in the reporting currency covers every currency without its own.
          union select closeline_reporting_currency()
        ) c order by currency`,
  );
  return rows.map((r) => r.currency);
}
