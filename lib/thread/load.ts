import type { Db } from "@/db/client";
import {
  customerKnown,
  findInvoice,
  latestEntitlement,
  listCustomerAmendments,
  listCustomerInvoices,
  listCustomerPayments,
  listDisputes,
  listEntitlementUpdatesForPayments,
  listInvoicePayments,
  listPostingAttempts,
  listThreadExceptions,
  type InvoiceFacts,
  type ThreadExceptionFacts,
} from "@/db/queries/thread";
import { usageCompletenessBySourceMeter } from "@/db/queries/usage-completeness";
import { OPEN_EXCEPTION_STATUSES } from "@/db/schema";
import type { CustomerThread, InvoiceThread, ThreadException } from "@/lib/contract/thread-api";
import { loadTargets, type KpiTargets } from "@/lib/kpi/targets";
import { explainEntitlement } from "./entitlement";
import { buildHops, firstTrouble, threadSentence, type UsageMeterFacts } from "./hops";
import { eventHref, invoiceThreadHref } from "./vocabulary";

/*
 * The revenue threads, read and assembled: the facts come from db/queries/thread.ts (and the
 * usage completeness sums), the rules from hops.ts and entitlement.ts.
 */

/** How many invoices a customer thread follows, and how many exceptions a thread lists. */
export const CUSTOMER_INVOICE_LIMIT = 24;
const EXCEPTION_LIMIT = 50;
const CUSTOMER_PAYMENT_LIMIT = 20;
const AMENDMENT_LIMIT = 50;

const toException = (x: ThreadExceptionFacts): ThreadException => ({
  id: x.id,
  type: x.type,
  status: x.status,
  title: x.title,
  openedAt: x.openedAt.toISOString(),
  href: `/exceptions/${x.id}`,
});

async function usageOf(db: Db, invoice: InvoiceFacts): Promise<UsageMeterFacts[]> {
  if (invoice.periodEnd.getTime() <= invoice.periodStart.getTime()) return [];
  const rows = await usageCompletenessBySourceMeter(db, {
    from: invoice.periodStart,
    to: invoice.periodEnd,
    entity: invoice.entity,
  });
  return rows.map((r) => ({
    source: r.source,
    meter: r.meter,
    expected: Number(r.expected),
    received: Number(r.received),
    missing: Number(r.missing),
  }));
}

/** The threads of several invoices, read together (a handful of queries, not one per invoice). */
async function threadsOf(
  db: Db,
  invoices: readonly InvoiceFacts[],
  targets: KpiTargets,
  now: Date,
): Promise<InvoiceThread[]> {
  const ids = invoices.map((i) => i.invoiceId);
  const [attempts, payments, disputes] = await Promise.all([
    listPostingAttempts(db, ids),
    listInvoicePayments(db, ids),
    listDisputes(db, ids),
  ]);
  const paymentIds = payments.map((p) => p.paymentId);
  const [updates, exceptions] = await Promise.all([
    listEntitlementUpdatesForPayments(db, paymentIds),
    listThreadExceptions(db, { invoiceIds: ids, paymentIds, limit: EXCEPTION_LIMIT * ids.length }),
  ]);
  // Invoices of one entity and period share their usage: read it once.
  const usage = new Map<string, Promise<UsageMeterFacts[]>>();
  const usageKey = (i: InvoiceFacts) =>
    `${i.entity}\u0000${i.periodStart.toISOString()}\u0000${i.periodEnd.toISOString()}`;
  for (const i of invoices) if (!usage.has(usageKey(i))) usage.set(usageKey(i), usageOf(db, i));
  return Promise.all(
    invoices.map(async (invoice) => {
      const own = payments.filter((p) => p.invoiceId === invoice.invoiceId);
      const ownPaymentIds = new Set(own.map((p) => p.paymentId));
      const hops = buildHops(
        {
          invoice,
          usage: await usage.get(usageKey(invoice))!,
          attempts: attempts.filter((a) => a.invoiceId === invoice.invoiceId),
          payments: own,
          entitlementUpdates: updates.filter((u) => u.paymentId && ownPaymentIds.has(u.paymentId)),
          disputes: disputes.filter((d) => d.invoiceId === invoice.invoiceId),
        },
        targets,
        now,
      );
      return {
        invoice: {
          invoiceId: invoice.invoiceId,
          customerId: invoice.customerId,
          entity: invoice.entity,
          currency: invoice.currency,
          amountMinor: invoice.amountMinor,
          periodStart: invoice.periodStart.toISOString(),
          periodEnd: invoice.periodEnd.toISOString(),
          issuedAt: invoice.issuedAt.toISOString(),
        },
        hops,
        stuckStage: firstTrouble(hops)?.stage ?? null,
        sentence: threadSentence(hops),
        exceptions: exceptions
          .filter(
            (x) =>
              x.invoiceId === invoice.invoiceId ||
              (x.paymentId !== null && ownPaymentIds.has(x.paymentId)),
          )
          .slice(0, EXCEPTION_LIMIT)
          .map(toException),
        asOf: now.toISOString(),
      };
    }),
  );
}

/** An invoice's revenue thread, or null when no invoice has this id. */
export async function loadInvoiceThread(
  db: Db,
  invoiceId: string,
  now = new Date(),
): Promise<InvoiceThread | null> {
  const invoice = await findInvoice(db, invoiceId);
  if (!invoice) return null;
  const [thread] = await threadsOf(db, [invoice], await loadTargets(db), now);
  return thread ?? null;
}

export interface ThreadRange {
  from: Date;
  to: Date;
}

/** The default range of a customer thread: the year up to now. */
export function defaultRange(now: Date): ThreadRange {
  return { from: new Date(now.getTime() - 365 * 86_400_000), to: now };
}

/** A customer's thread over the range, or null when no telemetry names the customer. */
export async function loadCustomerThread(
  db: Db,
  customerId: string,
  range: ThreadRange,
  now = new Date(),
): Promise<CustomerThread | null> {
  if (!(await customerKnown(db, customerId))) return null;
  const [invoicePage, targets, latest, payments, amendments, customerExceptions] =
    await Promise.all([
      listCustomerInvoices(db, { customerId, ...range, limit: CUSTOMER_INVOICE_LIMIT + 1 }),
      loadTargets(db),
      latestEntitlement(db, customerId),
      listCustomerPayments(db, customerId, CUSTOMER_PAYMENT_LIMIT),
      listCustomerAmendments(db, customerId, AMENDMENT_LIMIT),
      listThreadExceptions(db, {
        invoiceIds: [],
        paymentIds: [],
        customerId,
        limit: EXCEPTION_LIMIT,
      }),
    ]);
  const invoices = invoicePage.slice(0, CUSTOMER_INVOICE_LIMIT);
  const [threads, disputes, followedUpdates] = await Promise.all([
    threadsOf(db, invoices, targets, now),
    listDisputes(
      db,
      invoices.map((i) => i.invoiceId),
    ),
    listEntitlementUpdatesForPayments(
      db,
      payments.map((p) => p.paymentId),
    ),
  ]);
  const followed = new Set(followedUpdates.map((u) => u.paymentId));
  const open = new Set<string>(OPEN_EXCEPTION_STATUSES);
  // The customer's own exceptions and those of their invoices' threads, once each.
  const byId = new Map<string, ThreadException>();
  for (const x of [...customerExceptions.map(toException), ...threads.flatMap((t) => t.exceptions)])
    if (open.has(x.status)) byId.set(x.id, x);
  const openExceptions = [...byId.values()].sort((a, b) => b.openedAt.localeCompare(a.openedAt));
  return {
    customerId,
    range: { from: range.from.toISOString(), to: range.to.toISOString() },
    entitlement: explainEntitlement({
      latest,
      payments: payments.map((p) => ({ ...p, followed: followed.has(p.paymentId) })),
      invoices: threads,
      openExceptions,
      now,
    }),
    invoices: threads,
    invoicesTruncated: invoicePage.length > CUSTOMER_INVOICE_LIMIT,
    openExceptions,
    amendments: amendments.map((a) => ({
      contractId: a.contractId,
      entity: a.entity,
      effectiveFrom: a.effectiveFrom.toISOString(),
      amendedAt: a.amendedAt.toISOString(),
      currency: a.currency,
      amountImpactMinor: a.amountImpactMinor,
      href: eventHref(a.eventSeq),
    })),
    disputes: disputes.map((d) => ({
      invoiceId: d.invoiceId,
      reason: d.reason,
      amountMinor: d.amountMinor,
      at: d.at.toISOString(),
      href: invoiceThreadHref(d.invoiceId),
    })),
    asOf: now.toISOString(),
  };
}

const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The range a customer page asks for: `from` and `to` as UTC dates (YYYY-MM-DD), both days
 * included; anything missing, malformed, reversed or over 366 days is the default range.
 */
export function customerRangeFromParams(
  query: Record<string, string | string[] | undefined>,
  now: Date,
): ThreadRange {
  const from =
    typeof query.from === "string" && DATE.test(query.from) ? Date.parse(query.from) : NaN;
  const to =
    typeof query.to === "string" && DATE.test(query.to) ? Date.parse(query.to) + DAY_MS : NaN;
  if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from || to - from > 366 * DAY_MS)
    return defaultRange(now);
  return { from: new Date(from), to: new Date(to) };
}
