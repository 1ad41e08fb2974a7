import type { KpiSummary } from "@/lib/kpi/engine";

/**
 * The ERP posting figures of a range without a posting: counts 0, and every rate and latency
 * null, not 0 (there is nothing to divide or measure). Written out, not read from the engine.
 */
export const NO_ERP_POSTINGS = {
  postings: 0,
  firstPassSuccessRate: null,
  eventualSuccessRate: null,
  latencyP50Ms: null,
  latencyP95Ms: null,
  openFailures: 0,
} as const;

/** The figures every report, series bucket and per-entity row carries. */
export const KPI_SUMMARY_KEYS = [
  "usageCompleteness",
  "eventLag",
  "invoiceLatency",
  "erpPosting",
  "reconciliation",
  "paymentToEntitlement",
] as const satisfies readonly (keyof KpiSummary)[];
