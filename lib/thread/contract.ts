import type { Db } from "@/db/client";
import {
  listContractAmendments,
  listInvoicesBilledFrom,
  listPeriodsOverlapping,
} from "@/db/queries/thread";
import type { ContractThread } from "@/lib/contract/thread-api";
import { customerThreadHref, eventHref, invoiceThreadHref } from "./vocabulary";

/*
 * A contract's thread: each amendment, and what it reaches: the customer's invoices for its
 * entity billed from its effective date (those issued before it was made were billed on the
 * old terms and may need a correction) and the accounting periods from its effective date to
 * the day it was made (a closed one is why it is retroactive).
 */

/** Invoices listed per amendment; `invoicesTruncated` says when more follow. */
export const CONTRACT_INVOICE_LIMIT = 50;

const monthStart = (d: Date) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);

export async function loadContractThread(
  db: Db,
  contractId: string,
  now: Date,
): Promise<ContractThread | null> {
  const amendments = await listContractAmendments(db, contractId);
  const latest = amendments.at(-1);
  if (!latest) return null;
  return {
    contractId,
    customerId: latest.customerId,
    customerHref: customerThreadHref(latest.customerId),
    amendments: await Promise.all(
      amendments.map(async (a) => {
        const to = a.amendedAt > a.effectiveFrom ? a.amendedAt : a.effectiveFrom;
        const [invoices, periods] = await Promise.all([
          listInvoicesBilledFrom(db, {
            customerId: a.customerId,
            entity: a.entity,
            from: a.effectiveFrom,
            limit: CONTRACT_INVOICE_LIMIT + 1,
          }),
          listPeriodsOverlapping(db, { entity: a.entity, from: a.effectiveFrom, to }),
        ]);
        // The rule detection applies (db/queries/exception-sync.ts, retroactive_amendment).
        const retroactive =
          a.effectiveFrom.getTime() < monthStart(a.amendedAt) ||
          periods.some(
            (p) =>
              p.closedAt !== null &&
              p.periodStart <= a.effectiveFrom &&
              a.effectiveFrom < p.periodEnd,
          );
        return {
          entity: a.entity,
          effectiveFrom: a.effectiveFrom.toISOString(),
          amendedAt: a.amendedAt.toISOString(),
          currency: a.currency,
          amountImpactMinor: a.amountImpactMinor,
          retroactive,
          href: eventHref(a.eventSeq),
          exception: a.exception ? { ...a.exception, href: `/exceptions/${a.exception.id}` } : null,
          invoices: invoices.slice(0, CONTRACT_INVOICE_LIMIT).map((i) => ({
            invoiceId: i.invoiceId,
            currency: i.currency,
            amountMinor: i.amountMinor,
            periodStart: i.periodStart.toISOString(),
            periodEnd: i.periodEnd.toISOString(),
            issuedAt: i.issuedAt.toISOString(),
            billedBeforeAmendment: i.issuedAt < a.amendedAt,
            href: invoiceThreadHref(i.invoiceId),
          })),
          invoicesTruncated: invoices.length > CONTRACT_INVOICE_LIMIT,
          periods: periods.map((p) => ({
            periodStart: p.periodStart.toISOString(),
            periodEnd: p.periodEnd.toISOString(),
            closed: p.closedAt !== null,
          })),
        };
      }),
    ),
    asOf: now.toISOString(),
  };
}
