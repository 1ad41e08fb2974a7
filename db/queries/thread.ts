import "server-only";
import { and, asc, desc, eq, gt, gte, inArray, lt, lte, or, sql } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";
import {
  accountingPeriods,
  contractAmendments,
  entitlementUpdates,
  erpPostingAttempts,
  events,
  exceptions,
  invoiceDisputes,
  invoices,
  payments,
} from "../schema";

/*
 * What the revenue thread of an invoice, a customer or a contract is made of: the invoice,
 * every ERP posting attempt, the payments against it, the entitlement updates naming those
 * payments, the disputes, the exceptions tied to any of them; for a customer also their latest
 * entitlement, recent payments and amendments; for a contract its amendments, each with the
 * invoices and the accounting periods it reaches back into. Each read goes through an index on
 * the id it starts from (payments and amendments per customer: db/concurrent-indexes.ts;
 * exceptions per invoice, payment and customer: migration 0037; amendments per contract:
 * contract_amendments_contract_idx; a customer's invoices: invoices_customer_idx; an entity's
 * periods: its unique (entity, period_start) index). Usage comes from usage-completeness.ts.
 */

const invoiceColumns = {
  invoiceId: invoices.invoiceId,
  customerId: invoices.customerId,
  entity: invoices.entity,
  currency: invoices.currency,
  amountMinor: invoices.amountMinor,
  periodStart: invoices.periodStart,
  periodEnd: invoices.periodEnd,
  issuedAt: invoices.issuedAt,
  eventSeq: invoices.eventSeq,
};
export interface InvoiceFacts {
  invoiceId: string;
  customerId: string;
  entity: string;
  currency: string;
  amountMinor: number;
  periodStart: Date;
  periodEnd: Date;
  issuedAt: Date;
  eventSeq: number;
}

export async function findInvoice(db: Db, invoiceId: string): Promise<InvoiceFacts | null> {
  const [row] = await db
    .select(invoiceColumns)
    .from(invoices)
    .where(eq(invoices.invoiceId, invoiceId));
  return row ?? null;
}

/** A customer's invoices issued in [from, to), newest first, at most `limit`. */
export function listCustomerInvoices(
  db: Db,
  params: { customerId: string; from: Date; to: Date; limit: number },
): Promise<InvoiceFacts[]> {
  return db
    .select(invoiceColumns)
    .from(invoices)
    .where(
      and(
        eq(invoices.customerId, params.customerId),
        gte(invoices.issuedAt, params.from),
        lt(invoices.issuedAt, params.to),
      ),
    )
    .orderBy(desc(invoices.issuedAt), desc(invoices.invoiceId))
    .limit(params.limit);
}

/** What an amendment effective from `from` reaches: the customer's invoices for the entity billing past it. */
const billedFrom = (reach: { customerId: string; entity: string; from: Date }) =>
  and(
    eq(invoices.customerId, reach.customerId),
    eq(invoices.entity, reach.entity),
    gt(invoices.periodEnd, reach.from),
  );

/** The invoices an amendment reaches (the ones whose terms it changes), first `limit` by period. */
export function listInvoicesBilledFrom(
  db: Db,
  params: { customerId: string; entity: string; from: Date; limit: number },
) {
  return db
    .select(invoiceColumns)
    .from(invoices)
    .where(billedFrom(params))
    .orderBy(asc(invoices.periodStart), asc(invoices.invoiceId))
    .limit(params.limit);
}

export interface PostingAttemptFacts {
  invoiceId: string;
  postingId: string;
  attempt: number;
  status: "succeeded" | "failed";
  attemptedAt: Date;
  errorCode: string | null;
  errorMessage: string | null;
  eventSeq: number;
}

export function listPostingAttempts(
  db: Db,
  invoiceIds: readonly string[],
): Promise<PostingAttemptFacts[]> {
  if (invoiceIds.length === 0) return Promise.resolve([]);
  return db
    .select({
      invoiceId: erpPostingAttempts.invoiceId,
      postingId: erpPostingAttempts.postingId,
      attempt: erpPostingAttempts.attempt,
      status: erpPostingAttempts.status,
      attemptedAt: erpPostingAttempts.attemptedAt,
      errorCode: erpPostingAttempts.errorCode,
      errorMessage: erpPostingAttempts.errorMessage,
      eventSeq: erpPostingAttempts.eventSeq,
    })
    .from(erpPostingAttempts)
    .where(inArray(erpPostingAttempts.invoiceId, [...invoiceIds]))
    .orderBy(asc(erpPostingAttempts.attemptedAt), asc(erpPostingAttempts.attempt));
}

export interface PaymentFacts {
  paymentId: string;
  customerId: string;
  invoiceId: string | null;
  currency: string;
  amountMinor: number;
  receivedAt: Date;
  eventSeq: number;
}

const paymentColumns = {
  paymentId: payments.paymentId,
  customerId: payments.customerId,
  invoiceId: payments.invoiceId,
  currency: payments.currency,
  amountMinor: payments.amountMinor,
  receivedAt: payments.receivedAt,
  eventSeq: payments.eventSeq,
};

export function listInvoicePayments(
  db: Db,
  invoiceIds: readonly string[],
): Promise<PaymentFacts[]> {
  if (invoiceIds.length === 0) return Promise.resolve([]);
  return db
    .select(paymentColumns)
    .from(payments)
    .where(inArray(payments.invoiceId, [...invoiceIds]))
    .orderBy(asc(payments.receivedAt), asc(payments.paymentId));
}

/** A customer's latest payments, newest first, whatever they pay. */
export function listCustomerPayments(
  db: Db,
  customerId: string,
  limit: number,
): Promise<PaymentFacts[]> {
  return db
    .select(paymentColumns)
    .from(payments)
    .where(eq(payments.customerId, customerId))
    .orderBy(desc(payments.receivedAt), desc(payments.paymentId))
    .limit(limit);
}

export interface EntitlementFacts {
  customerId: string;
  paymentId: string | null;
  status: "active" | "restricted" | "suspended";
  updatedAt: Date;
  eventSeq: number;
  /** The reason the product gave, when its event carried one (`data.reason`). */
  reason: string | null;
}

const entitlementColumns = {
  customerId: entitlementUpdates.customerId,
  paymentId: entitlementUpdates.paymentId,
  status: entitlementUpdates.status,
  updatedAt: entitlementUpdates.updatedAt,
  eventSeq: entitlementUpdates.eventSeq,
  reason: sql<
    string | null
  >`(select e.data ->> 'reason' from ${events} e where e.seq = ${entitlementUpdates.eventSeq})`,
};

/** Every entitlement update naming one of the payments, earliest first. */
export function listEntitlementUpdatesForPayments(
  db: Db,
  paymentIds: readonly string[],
): Promise<EntitlementFacts[]> {
  if (paymentIds.length === 0) return Promise.resolve([]);
  return db
    .select(entitlementColumns)
    .from(entitlementUpdates)
    .where(inArray(entitlementUpdates.paymentId, [...paymentIds]))
    .orderBy(asc(entitlementUpdates.updatedAt), asc(entitlementUpdates.eventSeq));
}

/** The customer's current entitlement: the update latest by its own time, then by event. */
export async function latestEntitlement(
  db: Db,
  customerId: string,
): Promise<EntitlementFacts | null> {
  const [row] = await db
    .select(entitlementColumns)
    .from(entitlementUpdates)
    .where(eq(entitlementUpdates.customerId, customerId))
    .orderBy(
      desc(entitlementUpdates.updatedAt),
      desc(entitlementUpdates.eventTime),
      desc(entitlementUpdates.eventId),
    )
    .limit(1);
  return row ?? null;
}

export interface DisputeFacts {
  invoiceId: string;
  reason: string;
  amountMinor: number | null;
  at: Date;
  eventSeq: number;
}

export function listDisputes(db: Db, invoiceIds: readonly string[]): Promise<DisputeFacts[]> {
  if (invoiceIds.length === 0) return Promise.resolve([]);
  return db
    .select({
      invoiceId: invoiceDisputes.invoiceId,
      reason: invoiceDisputes.reason,
      amountMinor: invoiceDisputes.amountMinor,
      at: invoiceDisputes.eventTime,
      eventSeq: invoiceDisputes.eventSeq,
    })
    .from(invoiceDisputes)
    .where(inArray(invoiceDisputes.invoiceId, [...invoiceIds]))
    .orderBy(asc(invoiceDisputes.eventTime));
}

export interface AmendmentFacts {
  contractId: string;
  customerId: string;
  entity: string;
  effectiveFrom: Date;
  amendedAt: Date;
  currency: string;
  amountImpactMinor: number;
  eventSeq: number;
}

const amendmentColumns = {
  contractId: contractAmendments.contractId,
  customerId: contractAmendments.customerId,
  entity: contractAmendments.entity,
  effectiveFrom: contractAmendments.effectiveFrom,
  amendedAt: contractAmendments.amendedAt,
  currency: contractAmendments.currency,
  amountImpactMinor: contractAmendments.amountImpactMinor,
  eventSeq: contractAmendments.eventSeq,
};

/** A customer's latest contract amendments, newest first. */
export function listCustomerAmendments(
  db: Db,
  customerId: string,
  limit: number,
): Promise<AmendmentFacts[]> {
  return db
    .select(amendmentColumns)
    .from(contractAmendments)
    .where(eq(contractAmendments.customerId, customerId))
    .orderBy(desc(contractAmendments.amendedAt))
    .limit(limit);
}

/** The amendments of a contract, oldest first, each with its retroactive_amendment exception if any. */
export function listContractAmendments(db: Db, contractId: string) {
  return db
    .select({
      ...amendmentColumns,
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

/** The entity's accounting periods that end after `from` and start by `to`. */
const periodsOverlapping = (span: { entity: string; from: Date; to: Date }) =>
  and(
    eq(accountingPeriods.entity, span.entity),
    gt(accountingPeriods.periodEnd, span.from),
    lte(accountingPeriods.periodStart, span.to),
  );

/** The entity's recorded accounting periods that end after `from` and start by `to`, oldest first. */
export function listPeriodsOverlapping(db: Db, params: { entity: string; from: Date; to: Date }) {
  return db
    .select({
      periodStart: accountingPeriods.periodStart,
      periodEnd: accountingPeriods.periodEnd,
      closedAt: accountingPeriods.closedAt,
    })
    .from(accountingPeriods)
    .where(periodsOverlapping(params))
    .orderBy(asc(accountingPeriods.periodStart));
}

const threadExceptionColumns = {
  id: exceptions.id,
  type: exceptions.type,
  status: exceptions.status,
  title: exceptions.title,
  openedAt: exceptions.openedAt,
  invoiceId: exceptions.invoiceId,
  paymentId: exceptions.paymentId,
};
export type ThreadExceptionFacts = Pick<
  typeof exceptions.$inferSelect,
  keyof typeof threadExceptionColumns
>;

/**
 * The exceptions tied to any of the invoices or payments, or (when given) to the customer,
 * newest first, at most `limit`.
 */
export function listThreadExceptions(
  db: Db,
  params: {
    invoiceIds: readonly string[];
    paymentIds: readonly string[];
    customerId?: string;
    limit: number;
  },
): Promise<ThreadExceptionFacts[]> {
  const ties = [
    params.invoiceIds.length > 0 ? inArray(exceptions.invoiceId, [...params.invoiceIds]) : null,
    params.paymentIds.length > 0 ? inArray(exceptions.paymentId, [...params.paymentIds]) : null,
    params.customerId !== undefined ? eq(exceptions.customerId, params.customerId) : null,
  ].filter((c) => c !== null);
  if (ties.length === 0) return Promise.resolve([]);
  return db
    .select(threadExceptionColumns)
    .from(exceptions)
    .where(or(...ties))
    .orderBy(desc(exceptions.openedAt), desc(exceptions.id))
    .limit(params.limit);
}

/** Whether any telemetry names the customer (an invoice, a payment or an entitlement). */
export async function customerKnown(db: Db, customerId: string): Promise<boolean> {
  const [row] = await queryRows<{ known: boolean }>(
    db,
    sql`select
      exists (select 1 from ${invoices} where customer_id = ${customerId})
      or exists (select 1 from ${payments} where customer_id = ${customerId})
      or exists (select 1 from ${entitlementUpdates} where customer_id = ${customerId}) as known`,
  );
  return row?.known === true;
}
