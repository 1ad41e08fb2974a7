import "server-only";
import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";

/*
 * A contract's thread: its amendments, each with the invoices and the accounting periods it
 * reaches back into, and the exception it raised. Amendments come through
 * contract_amendments_contract_idx, invoices through invoices_customer_idx, periods through
 * the entity's unique (entity, period_start) index.
 */

export interface ContractAmendmentRow {
  eventSeq: number;
  customerId: string;
  entity: string;
  effectiveFrom: Date;
  amendedAt: Date;
  currency: string;
  amountImpactMinor: number;
  exceptionId: string | null;
  exceptionStatus: string | null;
}

/** The amendments of a contract, oldest first, each with its retroactive_amendment exception if any. */
export async function contractAmendmentRows(
  db: Db,
  contractId: string,
): Promise<ContractAmendmentRow[]> {
  const rows = await queryRows<{
    event_seq: number | string;
    customer_id: string;
    entity: string;
    effective_from: string | Date;
    amended_at: string | Date;
    currency: string;
    amount_impact_minor: number | string;
    exception_id: string | null;
    exception_status: string | null;
  }>(
    db,
    sql`select a.event_seq, a.customer_id, a.entity, a.effective_from, a.amended_at, a.currency,
          a.amount_impact_minor, x.id as exception_id, x.status as exception_status
        from contract_amendments a
        left join exceptions x on x.type = 'retroactive_amendment'
          and x.problem_key = a.contract_id || '@' || a.event_id
        where a.contract_id = ${contractId}
        order by a.amended_at, a.event_seq`,
  );
  return rows.map((r) => ({
    eventSeq: Number(r.event_seq),
    customerId: r.customer_id,
    entity: r.entity,
    effectiveFrom: new Date(r.effective_from),
    amendedAt: new Date(r.amended_at),
    currency: r.currency,
    amountImpactMinor: Number(r.amount_impact_minor),
    exceptionId: r.exception_id,
    exceptionStatus: r.exception_status,
  }));
}

export interface TouchedInvoiceRow {
  invoiceId: string;
  currency: string;
  amountMinor: number;
  periodStart: Date;
  periodEnd: Date;
  issuedAt: Date;
}

/**
 * The customer's invoices for the entity whose billing period ends after `from` (an
 * amendment's effective date): the ones whose terms it changes, first `limit` by period.
 */
export async function invoicesFrom(
  db: Db,
  where: { customerId: string; entity: string; from: Date; limit: number },
): Promise<TouchedInvoiceRow[]> {
  const rows = await queryRows<{
    invoice_id: string;
    currency: string;
    amount_minor: number | string;
    period_start: string | Date;
    period_end: string | Date;
    issued_at: string | Date;
  }>(
    db,
    sql`select i.invoice_id, i.currency, i.amount_minor, i.period_start, i.period_end, i.issued_at
        from invoices i
        where i.customer_id = ${where.customerId} and i.entity = ${where.entity}
          and i.period_end > ${where.from.toISOString()}::timestamptz
        order by i.period_start, i.invoice_id limit ${where.limit}`,
  );
  return rows.map((r) => ({
    invoiceId: r.invoice_id,
    currency: r.currency,
    amountMinor: Number(r.amount_minor),
    periodStart: new Date(r.period_start),
    periodEnd: new Date(r.period_end),
    issuedAt: new Date(r.issued_at),
  }));
}

export interface TouchedPeriodRow {
  periodStart: Date;
  periodEnd: Date;
  closedAt: Date | null;
}

/** The entity's recorded accounting periods that end after `from` and start by `to`, oldest first. */
export async function periodsOverlapping(
  db: Db,
  where: { entity: string; from: Date; to: Date },
): Promise<TouchedPeriodRow[]> {
  const rows = await queryRows<{
    period_start: string | Date;
    period_end: string | Date;
    closed_at: string | Date | null;
  }>(
    db,
    sql`select p.period_start, p.period_end, p.closed_at from accounting_periods p
        where p.entity = ${where.entity}
          and p.period_end > ${where.from.toISOString()}::timestamptz
          and p.period_start <= ${where.to.toISOString()}::timestamptz
        order by p.period_start`,
  );
  return rows.map((r) => ({
    periodStart: new Date(r.period_start),
    periodEnd: new Date(r.period_end),
    closedAt: r.closed_at === null ? null : new Date(r.closed_at),
  }));
}
