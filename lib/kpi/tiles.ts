import type { ExceptionType } from "@/db/schema";
import { TYPE_LABELS } from "@/lib/exceptions/vocabulary";
import { formatCount, formatDuration, formatMoney, formatPercent } from "@/lib/format";
import type { KpiName } from "./definitions";
import type { DrilldownSlug } from "./drilldown";
import type { KpiReport, KpiSummary } from "./engine";
import type { TargetMetric } from "./targets";
import type { ValueKind } from "./tile-value";

/*
 * The overview's tiles, one per KPI: which metric each shows and is judged by, what it says
 * in words, the facts under its value and the drill-down it links to.
 */

export interface TileLink {
  text: string;
  href: string;
}

type OpenByType = KpiReport["exceptions"]["byType"][string];

/** A count of something that can be absent (no postings → no open failures to count): null, not 0. */
export const countOf = (n: number, of: number) => (of > 0 ? n : null);

/** The median beside a p95 tile's value, and how many things it measured ("p50 2 s · 1,204 events"). */
const medianAndCount = (stats: { p50Ms: number | null; count: number }, noun: string) =>
  `p50 ${formatDuration(stats.p50Ms)} · ${formatCount(stats.count)} ${noun}`;

/** What each targeted metric is in a report (or a series bucket's summary). */
export const METRIC: { [M in TargetMetric]: (r: KpiReport) => number | null } = {
  usageCompleteness: (r) => r.usageCompleteness.ratio,
  eventLagP95: (r) => r.eventLag.p95Ms,
  invoiceLatencyP95: (r) => r.invoiceLatency.p95Ms,
  erpFirstPassRate: (r) => r.erpPosting.firstPassSuccessRate,
  erpEventualSuccessRate: (r) => r.erpPosting.eventualSuccessRate,
  erpOpenFailures: (r) => countOf(r.erpPosting.openFailures, r.erpPosting.postings),
  reconciliationBreaks: (r) => countOf(r.reconciliation.breaks, r.reconciliation.results),
  entitlementSyncP95: (r) => r.paymentToEntitlement.p95Ms,
  entitlementOverdue: (r) => countOf(r.paymentToEntitlement.overdue, r.paymentToEntitlement.count),
  openExceptions: (r) => r.exceptions.open,
  manualInterventions: (r) => r.manualInterventions,
};

export interface TileSpec {
  id: string;
  title: string;
  definition: KpiName;
  kind: ValueKind;
  /** The metric the tile's big number is; its target is the one named in the caption. */
  metric: TargetMetric;
  /** Further metrics whose targets also colour the tile (open failures, overdue payments). */
  alsoJudgedBy?: TargetMetric[];
  higherIsBetter: boolean;
  drill: DrilldownSlug;
  /** What the big number counts, in words; says "in the range" or "now". */
  measures: string;
  /** Said in place of the trend when the range has nothing to measure. */
  emptyText: string;
  series?: (s: KpiSummary) => number | null;
  /** Open exceptions are counted now, whatever the range: there is no earlier value to compare. */
  snapshot?: boolean;
  /** Facts under the value; none when the range has nothing to measure (the trend's place says so). */
  details: (
    r: KpiReport,
    link: (view: string) => string,
    queueLink: (type: ExceptionType) => string,
  ) => (string | TileLink)[];
}

/** What a tile or chart says when its range holds nothing to measure. */
export const EMPTY_TEXT = {
  usage: "No usage window ended in this range",
  invoices: "No invoices issued in this range",
  postings: "No posting started in this range",
  reconciliation: "No reconciliation result for this range",
} as const;

export const TILES: TileSpec[] = [
  {
    id: "usage-completeness",
    title: "Usage completeness",
    definition: "usageCompleteness",
    kind: "ratio",
    metric: "usageCompleteness",
    higherIsBetter: true,
    drill: "usage-completeness",
    measures: "of expected usage received, for usage windows ending in the range",
    emptyText: EMPTY_TEXT.usage,
    series: (s) => s.usageCompleteness.ratio,
    details: (r, link) => {
      const u = r.usageCompleteness;
      if (u.expected === 0) return [];
      return [
        `${formatCount(u.received)} of ${formatCount(u.expected)} expected events received`,
        { text: `${formatCount(u.missing)} missing`, href: link("incomplete") },
      ];
    },
  },
  {
    id: "event-lag",
    title: "Event lag p95",
    definition: "eventLag",
    kind: "duration",
    metric: "eventLagP95",
    higherIsBetter: false,
    drill: "event-lag",
    measures: "95% of events received in the range arrived within this",
    emptyText: "No event received in this range",
    series: (s) => s.eventLag.p95Ms,
    details: (r) => (r.eventLag.count === 0 ? [] : [medianAndCount(r.eventLag, "events")]),
  },
  {
    id: "invoice-latency",
    title: "Invoice latency p95",
    definition: "invoiceLatency",
    kind: "duration",
    metric: "invoiceLatencyP95",
    higherIsBetter: false,
    drill: "invoice-latency",
    measures: "95% of invoices issued in the range went out within this after their period ended",
    emptyText: EMPTY_TEXT.invoices,
    series: (s) => s.invoiceLatency.p95Ms,
    details: (r) =>
      r.invoiceLatency.count === 0 ? [] : [medianAndCount(r.invoiceLatency, "invoices issued")],
  },
  {
    id: "erp-first-pass",
    title: "ERP first-pass success",
    definition: "erpPosting",
    kind: "ratio",
    metric: "erpFirstPassRate",
    higherIsBetter: true,
    drill: "erp-postings",
    measures: "of postings started in the range succeeded at the first attempt",
    emptyText: EMPTY_TEXT.postings,
    series: (s) => s.erpPosting.firstPassSuccessRate,
    details: (r, link) => {
      const p = r.erpPosting;
      if (p.postings === 0) return [];
      const failed = p.postings - Math.round((p.firstPassSuccessRate ?? 0) * p.postings);
      return [
        `${formatCount(p.postings)} postings`,
        { text: `${formatCount(failed)} failed at attempt 1`, href: link("first-pass-failed") },
      ];
    },
  },
  {
    id: "erp-eventual",
    title: "ERP eventual success",
    definition: "erpPosting",
    kind: "ratio",
    metric: "erpEventualSuccessRate",
    alsoJudgedBy: ["erpOpenFailures"],
    higherIsBetter: true,
    drill: "erp-postings",
    measures: "of postings started in the range succeeded, retries included",
    emptyText: EMPTY_TEXT.postings,
    series: (s) => s.erpPosting.eventualSuccessRate,
    details: (r, link) => {
      const p = r.erpPosting;
      if (p.postings === 0) return [];
      const top = r.details.erpTopErrorCodes[0];
      return [
        {
          text: `${formatCount(p.openFailures)} of them still failing at the last attempt`,
          href: link("open-failures"),
        },
        ...(top ? [`most frequent error: ${top.errorCode} (${formatCount(top.failures)})`] : []),
      ];
    },
  },
  {
    id: "reconciliation",
    title: "Reconciliation breaks",
    definition: "reconciliation",
    kind: "count",
    metric: "reconciliationBreaks",
    higherIsBetter: false,
    drill: "reconciliation",
    measures: "breaks found in results for periods ending in the range",
    emptyText: EMPTY_TEXT.reconciliation,
    series: (s) => countOf(s.reconciliation.breaks, s.reconciliation.results),
    details: (r, link) => {
      const rec = r.reconciliation;
      if (rec.results === 0) return [];
      const variance = Object.entries(rec.absVarianceMinor)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([currency, minor]) => `Absolute variance ${formatMoney(minor, currency)}`);
      return [
        {
          text: `${formatCount(rec.results)} results · break rate ${formatPercent(rec.breakRate)}`,
          href: link("breaks"),
        },
        ...variance,
      ];
    },
  },
  {
    id: "entitlement-sync",
    title: "Payment-to-entitlement p95",
    definition: "paymentToEntitlement",
    kind: "duration",
    metric: "entitlementSyncP95",
    alsoJudgedBy: ["entitlementOverdue"],
    higherIsBetter: false,
    drill: "entitlement-sync",
    measures: "95% of payments received in the range reached the customer's access within this",
    emptyText: "No payment received in this range",
    series: (s) => s.paymentToEntitlement.p95Ms,
    details: (r, link) => {
      const p = r.paymentToEntitlement;
      if (p.count === 0) return [];
      return [
        medianAndCount(p, "payments"),
        {
          text: `${formatCount(p.overdue)} of them not synced within 1 h`,
          href: link("overdue"),
        },
      ];
    },
  },
  {
    id: "open-exceptions",
    title: "Open exceptions",
    definition: "exceptions",
    kind: "count",
    metric: "openExceptions",
    higherIsBetter: false,
    drill: "exceptions",
    measures: "exceptions waiting for someone now, whatever the range",
    emptyText: "",
    snapshot: true,
    // Every type with something open, each a link to its queue: the counts a reader can
    // check against the queue's tabs, none hidden behind a "top 3".
    details: (r, _link, queueLink) => {
      const types = (Object.entries(r.exceptions.byType) as [ExceptionType, OpenByType][])
        .filter(([, t]) => t.open > 0)
        .sort(([a, x], [b, y]) => y.open - x.open || a.localeCompare(b));
      if (types.length === 0) return ["Nothing waiting for anyone"];
      return types.map(([type, t]) => ({
        text: `${TYPE_LABELS[type] ?? type}: ${formatCount(t.open)} (oldest ${formatDuration(t.oldestAgeMs)})`,
        href: queueLink(type),
      }));
    },
  },
  {
    id: "manual-interventions",
    title: "Manual interventions",
    definition: "manualInterventions",
    kind: "count",
    metric: "manualInterventions",
    higherIsBetter: false,
    drill: "manual-interventions",
    measures: "actions people took on exceptions and corrections in the range",
    emptyText: "",
    details: () => ["Retries, resolutions, corrections and approvals by people"],
  },
];

/** How a tile's caption names each metric when it is judged by more than one. */
export const TARGET_LABEL: Record<TargetMetric, string> = {
  usageCompleteness: "completeness",
  eventLagP95: "p95",
  invoiceLatencyP95: "p95",
  erpFirstPassRate: "first pass",
  erpEventualSuccessRate: "eventual success",
  erpOpenFailures: "open failures",
  reconciliationBreaks: "breaks",
  entitlementSyncP95: "p95",
  entitlementOverdue: "overdue",
  openExceptions: "open",
  manualInterventions: "interventions",
};
