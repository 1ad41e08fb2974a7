import type { Db } from "@/db/client";
import { eventLag } from "@/db/queries/event-lag";
import { usageCompleteness, usageCompletenessBySourceMeter } from "@/db/queries/usage-completeness";
import {
  erpPosting,
  erpTopErrorCodes,
  invoiceLatency,
  manualInterventions,
  num,
  openExceptions,
  paymentToEntitlement,
  reconciliation,
  type GroupSet,
  type Grouped,
  type KpiGrouping,
  type KpiScope,
  type SeriesUnit,
} from "@/db/queries/kpis";
import { exactInteger, type ExactInteger } from "@/lib/contract/primitives";
import { ENTITLEMENT_OVERDUE_AFTER_MS, MANUAL_INTERVENTION_ACTION_PREFIXES } from "./definitions";

/*
 * The KPI engine: the exact definitions of docs/kpis.md over [from, to), optionally for one
 * entity. Every ratio is null when its denominator is zero and every percentile null when
 * there is nothing to measure, so a quiet period never shows as a 0% that looks like a result.
 */

export interface KpiSummary {
  /** Sums of counts: exact integers, a decimal string past 2^53 (ExactInteger). */
  usageCompleteness: {
    expected: ExactInteger;
    received: ExactInteger;
    missing: ExactInteger;
    ratio: number | null;
  };
  eventLag: { count: number; p50Ms: number | null; p95Ms: number | null };
  invoiceLatency: { count: number; p50Ms: number | null; p95Ms: number | null };
  erpPosting: {
    postings: number;
    firstPassSuccessRate: number | null;
    eventualSuccessRate: number | null;
    latencyP50Ms: number | null;
    latencyP95Ms: number | null;
    openFailures: number;
  };
  reconciliation: {
    results: number;
    breaks: number;
    breakRate: number | null;
    absVarianceMinor: Record<string, ExactInteger>;
  };
  paymentToEntitlement: {
    count: number;
    synced: number;
    p50Ms: number | null;
    p95Ms: number | null;
    overdue: number;
  };
}

export interface KpiReport extends KpiSummary {
  range: { from: string; to: string; entity: string | null; bucket: SeriesUnit };
  exceptions: {
    open: number;
    byType: Record<
      string,
      { open: number; oldestAgeMs: number | null; medianAgeMs: number | null }
    >;
  };
  manualInterventions: number;
  details: {
    usageBySourceMeter: {
      source: string;
      meter: string;
      expected: ExactInteger;
      received: ExactInteger;
      missing: ExactInteger;
      ratio: number | null;
    }[];
    erpTopErrorCodes: { errorCode: string; failures: number }[];
    reconciliationByKind: Record<
      string,
      {
        results: number;
        breaks: number;
        breakRate: number | null;
        absVarianceMinor: Record<string, ExactInteger>;
      }
    >;
  };
  series: ({ bucket: string } & KpiSummary)[];
  byEntity: ({ entity: string } & KpiSummary)[];
}

const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);
/** Durations are reported in whole milliseconds; interpolation leaves binary-fraction noise otherwise. */
const millis = (v: string | number | null) => {
  const n = num(v);
  return n === null ? null : Math.round(n);
};
const count = (v: string | number | null | undefined) => num(v ?? 0) ?? 0;
/** A sum the database gave as its digits, kept exact. */
const exact = (v: string | number | null | undefined) => BigInt(v ?? 0);
/** Σ received / Σ expected, computed from the exact sums (the quotient itself is a float). */
const exactRatio = (part: bigint, whole: bigint) =>
  whole > 0n ? Number(part) / Number(whole) : null;
/** Adds a currency's sum to a per-currency map of exact integers. */
function addVariance(
  variance: Record<string, ExactInteger>,
  currency: string,
  sum: string | number | null,
) {
  variance[currency] = exactInteger(exact(variance[currency]) + exact(sum));
}
/** Usage sums of one row, exact, with their ratio. */
function usageSums(r: { expected: Num; received: Num; missing: Num }) {
  const expected = exact(r.expected);
  const received = exact(r.received);
  return {
    expected: exactInteger(expected),
    received: exactInteger(received),
    missing: exactInteger(exact(r.missing)),
    ratio: exactRatio(received, expected),
  };
}
type Num = string | number | null;

/** Beyond this a daily series has more points than a chart can show apart. */
const WEEKLY_AFTER_MS = 92 * 86_400_000;

/**
 * Ranges of two days or less are bucketed by hour, longer ones by day; with `weeks`, ranges
 * longer than 92 days (a quarter) by ISO week. The HTTP API never asks for weeks, so its
 * series stay hourly or daily as documented.
 */
export function bucketUnit(scope: KpiScope, options: { weeks?: boolean } = {}): SeriesUnit {
  const length = scope.to.getTime() - scope.from.getTime();
  if (length <= 48 * 3_600_000) return "hour";
  return options.weeks && length > WEEKLY_AFTER_MS ? "week" : "day";
}

function emptySummary(): KpiSummary {
  return {
    usageCompleteness: { expected: 0, received: 0, missing: 0, ratio: null },
    eventLag: { count: 0, p50Ms: null, p95Ms: null },
    invoiceLatency: { count: 0, p50Ms: null, p95Ms: null },
    erpPosting: {
      postings: 0,
      firstPassSuccessRate: null,
      eventualSuccessRate: null,
      latencyP50Ms: null,
      latencyP95Ms: null,
      openFailures: 0,
    },
    reconciliation: { results: 0, breaks: 0, breakRate: null, absVarianceMinor: {} },
    paymentToEntitlement: { count: 0, synced: 0, p50Ms: null, p95Ms: null, overdue: 0 },
  };
}

/** A summary per group key ('' for the headline), per grouping set. */
type Summaries = Record<GroupSet, Map<string, KpiSummary>>;

/** Runs every KPI query once for all the wanted groupings and folds the rows into summaries. */
async function summariesBy(
  db: Db,
  scope: KpiScope,
  grouping: KpiGrouping,
  now: Date,
): Promise<Summaries> {
  const [usage, lag, invoices, postings, recon, payments] = await Promise.all([
    usageCompleteness(db, scope, grouping),
    eventLag(db, scope, grouping),
    invoiceLatency(db, scope, grouping),
    erpPosting(db, scope, grouping),
    reconciliation(db, scope, grouping),
    paymentToEntitlement(db, scope, grouping, ENTITLEMENT_OVERDUE_AFTER_MS, now),
  ]);
  const summaries: Summaries = { total: new Map(), bucket: new Map(), entity: new Map() };
  const at = ({ set, g }: Grouped) => {
    const groups = summaries[set];
    const key = g ?? "";
    let summary = groups.get(key);
    if (!summary) groups.set(key, (summary = emptySummary()));
    return summary;
  };
  for (const r of usage) at(r).usageCompleteness = usageSums(r);
  for (const r of lag)
    at(r).eventLag = { count: count(r.count), p50Ms: millis(r.p50), p95Ms: millis(r.p95) };
  for (const r of invoices)
    at(r).invoiceLatency = { count: count(r.count), p50Ms: millis(r.p50), p95Ms: millis(r.p95) };
  for (const r of postings) {
    const n = count(r.postings);
    at(r).erpPosting = {
      postings: n,
      firstPassSuccessRate: ratio(count(r.first_pass), n),
      eventualSuccessRate: ratio(count(r.eventual), n),
      latencyP50Ms: millis(r.latency_p50),
      latencyP95Ms: millis(r.latency_p95),
      openFailures: count(r.open_failures),
    };
  }
  for (const r of recon) {
    const summary = at(r).reconciliation;
    summary.results += count(r.results);
    summary.breaks += count(r.breaks);
    if (r.currency) addVariance(summary.absVarianceMinor, r.currency, r.abs_variance);
    summary.breakRate = ratio(summary.breaks, summary.results);
  }
  for (const r of payments) {
    at(r).paymentToEntitlement = {
      count: count(r.payments),
      synced: count(r.synced),
      p50Ms: millis(r.p50),
      p95Ms: millis(r.p95),
      overdue: count(r.overdue),
    };
  }
  return summaries;
}

export interface KpiOptions {
  now?: Date;
  /**
   * The series and per-entity breakdowns cost more grouping work; the headline alone is
   * cheaper. Without `details`, the report's details are left empty: a caller comparing
   * headlines (the overview's previous period) does not pay for them.
   */
  include?: { series?: boolean; byEntity?: boolean; details?: boolean };
  /** Bucket ranges over 92 days by week (the overview's charts); see bucketUnit. */
  weeks?: boolean;
}

export async function computeKpis(
  db: Db,
  scope: KpiScope,
  options: KpiOptions = {},
): Promise<KpiReport> {
  const now = options.now ?? new Date();
  const unit = bucketUnit(scope, { weeks: options.weeks });
  const include = { series: true, byEntity: true, details: true, ...options.include };
  const sets: GroupSet[] = ["total"];
  if (include.series) sets.push("bucket");
  if (include.byEntity) sets.push("entity");
  const [summaries, exceptionRows, interventions, bySource, topCodes, reconByKind] =
    await Promise.all([
      summariesBy(db, scope, { unit, sets }, now),
      openExceptions(db, scope, now),
      manualInterventions(db, scope, MANUAL_INTERVENTION_ACTION_PREFIXES),
      include.details ? usageCompletenessBySourceMeter(db, scope) : [],
      include.details ? erpTopErrorCodes(db, scope) : [],
      include.details ? reconciliation(db, scope, { unit, sets: ["total"] }, true) : [],
    ]);

  const byType: KpiReport["exceptions"]["byType"] = {};
  for (const r of exceptionRows) {
    byType[r.type] = {
      open: count(r.open),
      oldestAgeMs: millis(r.oldest_age_ms),
      medianAgeMs: millis(r.median_age_ms),
    };
  }
  const reconciliationByKind: KpiReport["details"]["reconciliationByKind"] = {};
  for (const r of reconByKind) {
    const kind = (reconciliationByKind[r.kind ?? "unknown"] ??= {
      results: 0,
      breaks: 0,
      breakRate: null,
      absVarianceMinor: {},
    });
    kind.results += count(r.results);
    kind.breaks += count(r.breaks);
    kind.breakRate = ratio(kind.breaks, kind.results);
    if (r.currency) addVariance(kind.absVarianceMinor, r.currency, r.abs_variance);
  }

  return {
    range: {
      from: scope.from.toISOString(),
      to: scope.to.toISOString(),
      entity: scope.entity,
      bucket: unit,
    },
    ...(summaries.total.get("") ?? emptySummary()),
    exceptions: { open: Object.values(byType).reduce((sum, t) => sum + t.open, 0), byType },
    manualInterventions: count(interventions[0]?.count),
    details: {
      usageBySourceMeter: bySource.map((r) => ({
        source: r.source,
        meter: r.meter,
        ...usageSums(r),
      })),
      erpTopErrorCodes: topCodes.map((r) => ({
        errorCode: r.error_code,
        failures: count(r.failures),
      })),
      reconciliationByKind,
    },
    series: [...summaries.bucket.entries()].map(([bucket, summary]) => ({ bucket, ...summary })),
    byEntity: [...summaries.entity.entries()]
      .filter(([entity]) => entity !== "")
      .map(([entity, summary]) => ({ entity, ...summary })),
  };
}
