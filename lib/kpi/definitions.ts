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
