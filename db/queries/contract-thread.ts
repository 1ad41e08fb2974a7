import "server-only";
import { and, asc, eq, gt, lte, sql } from "drizzle-orm";
import type { Db } from "../client";
import { accountingPeriods, contractAmendments, exceptions, invoices } from "../schema";

/*
 * A contract's thread: its amendments, each with the invoices and the accounting periods it
 * reaches back into, and the exception it raised. Amendments come through
 * contract_amendments_contract_idx, invoices through invoices_customer_idx, periods through
 * the entity's unique (entity, period_start) index.
 */

/** The amendments of a contract, oldest first, each with its retroactive_amendment exception if any. */
export function contractAmendmentRows(db: Db, contractId: string) {
  return db
    .select({
      eventSeq: contractAmendments.eventSeq,
      customerId: contractAmendments.customerId,
      entity: contractAmendments.entity,
      effectiveFrom: contractAmendments.effectiveFrom,
      amendedAt: contractAmendments.amendedAt,
      currency: contractAmendments.currency,
      amountImpactMinor: contractAmendments.amountImpactMinor,
      // Null as a whole when no exception was raised (the join found none).
      exception: { id: exceptions.id, status: exceptions.status },
    })
    .from(contractAmendments)
    .leftJoin(
      exceptions,
      and(
        eq(exceptions.type, "retroactive_amendment"),
        eq(
          exceptions.problemKey,
          sql`${contractAmendments.contractId} || '@' || ${contractAmendments.eventId}`,
        ),
      ),
    )
    .where(eq(contractAmendments.contractId, contractId))
    .orderBy(asc(contractAmendments.amendedAt), asc(contractAmendments.eventSeq));
}

/**
 * The customer's invoices for the entity whose billing period ends after `from` (an
 * amendment's effective date): the ones whose terms it changes, first `limit` by period.
 */
export function invoicesFrom(
  db: Db,
  where: { customerId: string; entity: string; from: Date; limit: number },
) {
  return db
    .select({
      invoiceId: invoices.invoiceId,
      currency: invoices.currency,
      amountMinor: invoices.amountMinor,
      periodStart: invoices.periodStart,
      periodEnd: invoices.periodEnd,
      issuedAt: invoices.issuedAt,
    })
    .from(invoices)
    .where(
      and(
        eq(invoices.customerId, where.customerId),
        eq(invoices.entity, where.entity),
        gt(invoices.periodEnd, where.from),
      ),
    )
    .orderBy(asc(invoices.periodStart), asc(invoices.invoiceId))
    .limit(where.limit);
}

/** The entity's recorded accounting periods that end after `from` and start by `to`, oldest first. */
export function periodsOverlapping(db: Db, where: { entity: string; from: Date; to: Date }) {
  return db
    .select({
      periodStart: accountingPeriods.periodStart,
      periodEnd: accountingPeriods.periodEnd,
      closedAt: accountingPeriods.closedAt,
    })
    .from(accountingPeriods)
    .where(
      and(
        eq(accountingPeriods.entity, where.entity),
        gt(accountingPeriods.periodEnd, where.from),
        lte(accountingPeriods.periodStart, where.to),
      ),
    )
    .orderBy(asc(accountingPeriods.periodStart));
}
