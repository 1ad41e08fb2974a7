import type { EntitlementFacts, PaymentFacts } from "@/db/queries/thread";
import type {
  CustomerEntitlement,
  InvoiceThread,
  ThreadException,
} from "@/lib/contract/thread-api";
import { formatDuration, formatMoney } from "@/lib/format";
import { ENTITLEMENT_OVERDUE_AFTER_MS } from "@/lib/kpi/definitions";

/*
 * "Is this customer entitled, and if not, why?" The latest entitlement update answers the
 * first half. For the second, the reasons Closeline can see, most telling first:
 * 1. a payment no entitlement update has followed (the sync is stuck, or not yet due);
 * 2. an invoice of the range not paid in full;
 * 3. the reason the product gave with the restriction, when its event carried one.
 * When none of these applies the answer says so rather than guess.
 */

export interface EntitlementFactsForCustomer {
  latest: EntitlementFacts | null;
  /** The customer's latest payments, each with whether any entitlement update named it. */
  payments: (PaymentFacts & { followed: boolean })[];
  invoices: readonly InvoiceThread[];
  openExceptions: readonly ThreadException[];
  now: Date;
}

function unfollowedPayment(f: EntitlementFactsForCustomer) {
  const since = f.latest?.updatedAt.getTime() ?? -Infinity;
  // Newest first: the payment that arrived last and was never followed is the one to name.
  return f.payments.find((p) => !p.followed && p.receivedAt.getTime() >= since) ?? null;
}

function syncException(f: EntitlementFactsForCustomer, paymentId: string) {
  return f.openExceptions.find(
    (x) => x.type === "entitlement_out_of_sync" && x.title.includes(paymentId),
  );
}

export function explainEntitlement(f: EntitlementFactsForCustomer): CustomerEntitlement {
  const latest = f.latest;
  const since = latest ? latest.updatedAt.toISOString() : null;
  const status = latest?.status ?? null;
  const payment = unfollowedPayment(f);
  const paymentClause = (p: PaymentFacts) => {
    const waited = f.now.getTime() - p.receivedAt.getTime();
    const overdue = waited > ENTITLEMENT_OVERDUE_AFTER_MS;
    const exception = syncException(f, p.paymentId);
    return `payment ${p.paymentId} of ${formatMoney(p.amountMinor, p.currency)} was received ${formatDuration(waited)} ago and no entitlement update has followed it${overdue ? ` (overdue after ${formatDuration(ENTITLEMENT_OVERDUE_AFTER_MS)}): the payment-to-entitlement sync is stuck` : " yet (not overdue)"}${exception ? `; exception "${exception.title}" is ${exception.status.replace(/_/g, " ")}` : ""}`;
  };
  if (!latest) {
    return {
      entitled: null,
      status,
      since,
      why: `No entitlement update for this customer has reached Closeline${payment ? `, although ${paymentClause(payment)}` : ""}.`,
    };
  }
  if (latest.status === "active")
    return {
      entitled: true,
      status,
      since,
      why: `Entitled: access has been active since ${since}${latest.paymentId ? `, after payment ${latest.paymentId}` : ""}.`,
    };
  const head = `Not entitled: access has been ${latest.status} since ${since}`;
  if (payment)
    return { entitled: false, status, since, why: `${head}, although ${paymentClause(payment)}.` };
  const unpaid = f.invoices.find(
    (t) => t.hops.find((h) => h.stage === "payment")?.status === "pending",
  );
  if (unpaid) {
    const hop = unpaid.hops.find((h) => h.stage === "payment")!;
    return {
      entitled: false,
      status,
      since,
      why: `${head}; invoice ${unpaid.invoice.invoiceId} of ${formatMoney(unpaid.invoice.amountMinor, unpaid.invoice.currency)} is not paid in full (${hop.summary})${latest.reason ? `; the product gave the reason "${latest.reason}"` : ""}.`,
    };
  }
  return {
    entitled: false,
    status,
    since,
    why: latest.reason
      ? `${head}; the product gave the reason "${latest.reason}", and Closeline holds no unpaid invoice or unsynced payment behind it.`
      : `${head}; Closeline holds no unpaid invoice or unsynced payment that explains it: the product restricted access for a reason outside billing.`,
  };
}
