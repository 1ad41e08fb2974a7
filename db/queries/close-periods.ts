import "server-only";
import { and, eq, isNotNull, isNull, sql } from "drizzle-orm";
import type { Db } from "../client";
import { firstOrNull } from "../rows";
import { accountingPeriods, type AccountingPeriod } from "../schema";

export interface PeriodRow {
  entity: string;
  start: Date;
  end: Date;
}

/**
 * Marks a period closed now, creating its row the first time. Null when it is already
 * closed: the upsert only overwrites a row whose `closed_at` is still empty.
 */
export async function markPeriodClosed(
  tx: Db,
  period: PeriodRow,
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

/** The closed period starting on `start`, locked so two reopenings cannot both record one "before". */
export async function lockClosedPeriod(
  tx: Db,
  entity: string,
  start: Date,
): Promise<AccountingPeriod | null> {
  return firstOrNull(
    tx
      .select()
      .from(accountingPeriods)
      .where(
        and(
          eq(accountingPeriods.entity, entity),
          eq(accountingPeriods.periodStart, start),
          isNotNull(accountingPeriods.closedAt),
        ),
      )
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
