import type { Db } from "@/db/client";
import { createRule } from "@/lib/alerts/rules";

/*
 * Twenty rules of the kinds a finance team sets up, for measuring what evaluating them costs
 * ingestion: thresholds on headline KPIs (company-wide and per entity), changes against the
 * previous window, silent sources, exception counts, new exceptions, SLA breaches and close
 * deadlines. No channels: the cost measured is evaluation's, not delivery's.
 */

const kpi = (metric: string, op: string, value: number, window = "P1D") => ({
  kind: "kpi",
  metric,
  op,
  value,
  window,
});

const BENCH_RULES: { name: string; condition: Record<string, unknown>; entity?: string }[] = [
  { name: "First pass below 90 %", condition: kpi("erpPosting.firstPassSuccessRate", "<", 0.9) },
  {
    name: "First pass below 85 % per entity",
    condition: kpi("erpPosting.firstPassSuccessRate", "<", 0.85),
    entity: "*",
  },
  {
    name: "Eventual success below 99 %",
    condition: kpi("erpPosting.eventualSuccessRate", "<", 0.99),
  },
  { name: "ERP latency p95 over 10 min", condition: kpi("erpPosting.latencyP95Ms", ">", 600_000) },
  { name: "Postings still failing", condition: kpi("erpPosting.openFailures", ">=", 25) },
  { name: "Usage completeness below 98 %", condition: kpi("usageCompleteness.ratio", "<", 0.98) },
  {
    name: "Usage completeness below 95 % per entity",
    condition: kpi("usageCompleteness.ratio", "<", 0.95, "P7D"),
    entity: "*",
  },
  { name: "Event lag p95 over 15 min", condition: kpi("eventLag.p95Ms", ">", 900_000, "PT6H") },
  {
    name: "Invoice latency p95 over 2 days",
    condition: kpi("invoiceLatency.p95Ms", ">", 172_800_000, "P7D"),
  },
  {
    name: "Reconciliation break rate over 2 %",
    condition: kpi("reconciliation.breakRate", ">", 0.02),
  },
  {
    name: "Entitlement sync p95 over 1 h",
    condition: kpi("paymentToEntitlement.p95Ms", ">", 3_600_000),
  },
  { name: "Payments not synced in time", condition: kpi("paymentToEntitlement.overdue", ">", 5) },
  {
    name: "First pass dropped 10 %",
    condition: {
      kind: "kpi_change",
      metric: "erpPosting.firstPassSuccessRate",
      unit: "percent",
      op: "<",
      value: -10,
      window: "P1D",
    },
  },
  {
    name: "Break rate up 1 point",
    condition: {
      kind: "kpi_change",
      metric: "reconciliation.breakRate",
      unit: "points",
      op: ">",
      value: 0.01,
      window: "P7D",
    },
  },
  { name: "A source went silent", condition: { kind: "silence", after: "learned" } },
  {
    name: "No usage for an hour",
    condition: { kind: "silence", type: "usage.checkpoint", after: "PT1H" },
  },
  {
    name: "Open ERP failures pile up",
    condition: {
      kind: "exceptions",
      trigger: "open_count",
      type: "erp_posting_failed",
      atLeast: 50,
    },
  },
  {
    name: "New critical exception",
    condition: { kind: "exceptions", trigger: "new", severity: "critical" },
  },
  {
    name: "Exceptions past SLA",
    condition: { kind: "exceptions", trigger: "sla_breach", atLeast: 5 },
  },
  { name: "Close at risk", condition: { kind: "close", withinDays: 3 }, entity: "*" },
];

/** Creates the twenty rules; answers how many there are. */
export async function createBenchAlertRules(db: Db): Promise<number> {
  const context = {
    userId: null,
    actor: { type: "cli" as const, id: null, label: "npm run bench" },
  };
  for (const rule of BENCH_RULES) {
    await createRule(
      db,
      { severity: "warning", entity: null, for: "PT0S", channelIds: [], ...rule },
      context,
    );
  }
  return BENCH_RULES.length;
}
