import "server-only";
import { and, eq, isNotNull, isNull, sql } from "drizzle-orm";
import type { Db } from "../client";
import { firstOrNull, queryRows } from "../rows";
import { accountingPeriods, users, type AccountingPeriod } from "../schema";
import { ts, type CloseScope } from "./close";

/*
 * The accounting periods marked closed: what the close page shows of one, whether an instant
 * falls in a closed one, and marking one closed or reopened (lib/close/periods.ts audits both).
 */

export interface PeriodState {
  id: string;
  closedAt: Date | null;
  closedBy: string | null;
  closedByEmail: string | null;
}

/** A period is known by its entity and start, the table's unique key. */
type PeriodKey = Pick<CloseScope, "entity" | "start">;

const isPeriod = (period: PeriodKey) =>
  and(eq(accountingPeriods.entity, period.entity), eq(accountingPeriods.periodStart, period.start));

export async function findAccountingPeriod(db: Db, period: PeriodKey): Promise<PeriodState | null> {
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
      .where(isPeriod(period))
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

/**
 * Marks a period closed now, creating its row the first time. Null when it is already
 * closed: the upsert only overwrites a row whose `closed_at` is still empty.
 */
export async function markPeriodClosed(
  tx: Db,
  period: CloseScope,
  closedBy: string,
): Promise<AccountingPeriod | null> {
  return firstOrNull(
    tx
      .insert(accountingPeriods)
      .values({
        entity: period.entity,
        periodStart: period.start,
        periodEnd: period.end,
        closedAt: sql`now()`,
        closedBy,
      })
      .onConflictDoUpdate({
        target: [accountingPeriods.entity, accountingPeriods.periodStart],
        set: { closedAt: sql`now()`, closedBy, updatedAt: sql`now()` },
        setWhere: isNull(accountingPeriods.closedAt),
      })
      .returning(),
  );
}

/** The period if it is closed, locked so two reopenings cannot both record one "before". */
export async function lockClosedPeriod(
  tx: Db,
  period: PeriodKey,
): Promise<AccountingPeriod | null> {
  return firstOrNull(
    tx
      .select()
      .from(accountingPeriods)
      .where(and(isPeriod(period), isNotNull(accountingPeriods.closedAt)))
      .for("update"),
  );
}

export async function markPeriodReopened(tx: Db, id: string): Promise<AccountingPeriod> {
  const [row] = await tx
    .update(accountingPeriods)
    .set({ closedAt: null, closedBy: null, updatedAt: sql`now()` })
    .where(eq(accountingPeriods.id, id))
    .returning();
  return row!;
}
