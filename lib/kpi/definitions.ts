/*
 * What each KPI means, in words. The same text is shown beside each tile in the UI and
 * printed in docs/kpis.md, so the number and its explanation cannot drift apart.
 */
export const KPI_DEFINITIONS = {
  usageCompleteness:
    "Σ receivedCount / Σ expectedCount over the current (non-superseded) usage checkpoints whose windowEnd falls in the range. Missing = Σ max(expected − received, 0).",
  eventLag:
    "Time the event was received minus the event's own time, p50 and p95, for events received in the range.",
  invoiceLatency: "issuedAt − periodEnd for invoices issued in the range: count, p50 and p95.",
  erpPosting:
    "Postings whose first attempt is in the range. First-pass success: attempt 1 succeeded. Eventual success: any attempt succeeded. Latency: first successful attemptedAt − the invoice's issuedAt. Open failures: the latest attempt failed.",
  reconciliation:
    "Latest result per runId + key whose periodEnd is in the range. A break is |actual − expected| > tolerance; break rate = breaks / results; absolute variance = Σ |actual − expected| per currency.",
  paymentToEntitlement:
    "updatedAt of the first entitlement update naming the payment − the payment's receivedAt, for payments received in the range (p50, p95). Overdue: no entitlement update within 1 hour of receipt.",
  exceptions:
    "Exceptions open now (open, in progress, awaiting approval or awaiting confirmation), by type, with their age.",
  manualInterventions:
    "Human workflow actions in the range (retries, resolutions, corrections, approvals), from the audit log.",
} as const;

export type KpiName = keyof typeof KPI_DEFINITIONS;

/*
 * The same definitions for someone who does not read formulas: what the number answers and
 * why it matters. Shown first in each tile's disclosure, the exact definition under it.
 */
export const KPI_IN_PLAIN_WORDS: Record<KpiName, string> = {
  usageCompleteness:
    "Of the usage our product systems say should have reached billing, how much did. Below 100% means some usage may not be invoiced.",
  eventLag:
    "How long a business event took to reach Closeline after it happened. 95% of events arrived faster than the p95.",
  invoiceLatency:
    "How long after a billing period ended its invoice went out. 95% of invoices went out faster than the p95.",
  erpPosting: "Whether invoices reached the general ledger: first time, after retries, or not yet.",
  reconciliation:
    "Checks that two systems agree on an amount (usage vs billing, billing vs ERP, payments vs receivables). A break is a difference larger than the allowed tolerance.",
  paymentToEntitlement:
    "How long after a payment arrived the customer's access was updated. A payment waiting more than an hour is overdue.",
  exceptions:
    "Problems that still need a person, whenever they happened: the size of the work queue right now.",
  manualInterventions:
    "How often people had to step in: retries, resolutions, corrections and approvals.",
};

/** Audit actions that count as a manual intervention. */
export const MANUAL_INTERVENTION_ACTION_PREFIXES = [
  "exception.",
  "correction.",
  "rejected_event.",
  // An operator re-sending a dead-lettered command (lib/outbox/commands.ts) is a retry by hand.
  "outbox.",
] as const;

/** A payment without an entitlement update this long after receipt is overdue. */
export const ENTITLEMENT_OVERDUE_AFTER_MS = 60 * 60 * 1000;
