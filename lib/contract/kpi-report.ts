import { z } from "zod";
import { ExactInteger } from "./primitives";

/*
 * The answer of GET /api/v1/kpis, for the OpenAPI document. Like the ingestion answers
 * (responses.ts) it does not build the response: lib/kpi/engine.ts does, and the tests hold
 * what it returns to this shape. The definitions behind every number are in docs/kpis.md.
 */

const Ratio = z.number().nullable().meta({ description: "A ratio, null when nothing to divide" });
const Millis = z
  .int()
  .nullable()
  .meta({ description: "Whole milliseconds; null when nothing to measure" });
const Count = z.int().min(0);

const Variance = z.record(z.string(), ExactInteger).meta({
  description: "Σ |actual − expected| per ISO 4217 currency, in minor units, exact",
});

const Usage = z.object({
  expected: ExactInteger,
  received: ExactInteger,
  missing: ExactInteger,
  ratio: Ratio,
});

const Reconciliation = z.object({
  results: Count,
  breaks: Count,
  breakRate: Ratio,
  absVarianceMinor: Variance,
});

export const KpiSummary = z.object({
  usageCompleteness: Usage,
  eventLag: z.object({ count: Count, p50Ms: Millis, p95Ms: Millis }),
  invoiceLatency: z.object({ count: Count, p50Ms: Millis, p95Ms: Millis }),
  erpPosting: z.object({
    postings: Count,
    firstPassSuccessRate: Ratio,
    eventualSuccessRate: Ratio,
    latencyP50Ms: Millis,
    latencyP95Ms: Millis,
    openFailures: Count,
  }),
  reconciliation: Reconciliation,
  paymentToEntitlement: z.object({
    count: Count,
    synced: Count,
    p50Ms: Millis,
    p95Ms: Millis,
    overdue: Count,
  }),
});

export const KpiReport = KpiSummary.extend({
  range: z.object({
    from: z.string().meta({ description: "The range's start, UTC, to the millisecond" }),
    to: z.string().meta({ description: "The range's end (excluded), UTC, to the millisecond" }),
    entity: z.string().nullable(),
    bucket: z.enum(["hour", "day", "week"]),
  }),
  exceptions: z.object({
    open: Count,
    byType: z.record(
      z.string(),
      z.object({ open: Count, oldestAgeMs: Millis, medianAgeMs: Millis }),
    ),
  }),
  manualInterventions: Count,
  details: z.object({
    usageBySourceMeter: z.array(Usage.extend({ source: z.string(), meter: z.string() })),
    erpTopErrorCodes: z.array(z.object({ errorCode: z.string(), failures: Count })),
    reconciliationByKind: z.record(z.string(), Reconciliation),
  }),
  series: z.array(KpiSummary.extend({ bucket: z.string() })),
  byEntity: z.array(KpiSummary.extend({ entity: z.string() })),
}).meta({
  description:
    "The KPI report (docs/kpis.md). Sums of amounts and counts are exact integers: JSON numbers within ±(2^53 − 1), decimal strings beyond.",
});
