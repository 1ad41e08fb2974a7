import type { Db } from "@/db/client";
import { openExceptions, type KpiScope, type SeriesUnit } from "@/db/queries/kpis";
import type { ExceptionType } from "@/db/schema";
import { serializeQueueParams } from "@/lib/exceptions/queue-params";
import { TYPE_LABELS } from "@/lib/exceptions/vocabulary";
import { previousPeriod } from "@/lib/filters/time-range";
import { formatCount, formatDuration, formatMoney, formatPercent } from "@/lib/format";
import { KPI_DEFINITIONS, KPI_IN_PLAIN_WORDS, type KpiName } from "./definitions";
import { DRILLDOWNS, drilldownPath, type DrilldownSlug, type DrilldownSpec } from "./drilldown";
import { computeKpis, type KpiReport, type KpiSummary } from "./engine";
import {
  describeTarget,
  loadTargets,
  statusOf,
  worstStatus,
  type KpiStatus,
  type KpiTargets,
  type TargetMetric,
} from "./targets";

/*
 * The overview page as data: one tile per KPI with its value, the change against the
 * previous equal period, a sparkline, a status against the admin's targets and the link to
 * the records behind it; and the series the charts under the tiles draw. Built on the server
 * from two KpiReports, so the page ships numbers, not the rules that produced them.
 */

export type { SeriesUnit };

export type ValueKind = "ratio" | "duration" | "count";

export interface SeriesPoint {
  /** Bucket start, ISO (UTC), as the KPI engine labels it. */
  bucket: string;
  value: number | null;
}

export interface TileChange {
  /** "+0.42 pp", "−1.5 h", "+3". */
  text: string;
  direction: "up" | "down" | "flat";
  assessment: "better" | "worse" | "same";
}

export interface TileLink {
  text: string;
  href: string;
}

/**
 * Exceptions of the tile's own kind still open now, whatever the range: shown beside the
 * range's number so that "0 breaks in range" never reads as "nothing to do".
 */
export interface OpenNow {
  type: ExceptionType;
  count: number;
  /** "14 reconciliation breaks open now". */
  text: string;
  /** The exceptions queue filtered to this type (and the entity on screen). */
  href: string;
}

export interface Tile {
  id: string;
  title: string;
  kind: ValueKind;
  value: number | null;
  display: string;
  /** What the big number counts, and over which time: "breaks found in the range", "open now". */
  measures: string;
  openNow: OpenNow | null;
  /** Secondary facts under the value, some linking to a narrower view of the records. */
  details: (string | TileLink)[];
  change: TileChange | null;
  /** Why there is no change to show (no data before, or a count of now). */
  changeNote: string | null;
  status: KpiStatus;
  /** The rule the status was decided by, e.g. "target ≥ 99.5%, warning ≥ 98.0%". */
  statusRule: string;
  /** The definition in plain words, then the exact one. */
  plainDefinition: string;
  definition: string;
  href: string;
  sparkline: SeriesPoint[] | null;
  /** What the trend says when nothing in the range could be measured ("No invoices issued in this range"). */
  emptyText: string;
}

/** A chart's points over every bucket of the range, and what it says when none was measured. */
export interface ChartSeries {
  points: SeriesPoint[];
  emptyText: string;
}

export interface OverviewCharts {
  bucket: SeriesUnit;
  completeness: ChartSeries;
  invoiceLatencyP95: ChartSeries;
  firstPassRate: ChartSeries;
  breaks: ChartSeries;
  targets: {
    completeness: number | null;
    invoiceLatencyP95: number | null;
    firstPassRate: number | null;
  };
}

export interface Overview {
  range: { from: string; to: string; entity: string | null; bucket: SeriesUnit };
  previous: { from: string; to: string };
  /** True when nothing at all was measured in the range: the page says so instead of showing dashes only. */
  empty: boolean;
  tiles: Tile[];
  charts: OverviewCharts;
}

type OpenByType = KpiReport["exceptions"]["byType"][string];

/** A count of something that can be absent (no postings → no open failures to count): null, not 0. */
const countOf = (n: number, of: number) => (of > 0 ? n : null);

/** What each targeted metric is in a report (or a series bucket's summary). */
const METRIC: { [M in TargetMetric]: (r: KpiReport) => number | null } = {
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

interface TileSpec {
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
const EMPTY = {
  usage: "No usage window ended in this range",
  invoices: "No invoices issued in this range",
  postings: "No posting started in this range",
  reconciliation: "No reconciliation result for this range",
} as const;

const TILES: TileSpec[] = [
  {
    id: "usage-completeness",
    title: "Usage completeness",
    definition: "usageCompleteness",
    kind: "ratio",
    metric: "usageCompleteness",
    higherIsBetter: true,
    drill: "usage-completeness",
    measures: "of expected usage received, for usage windows ending in the range",
    emptyText: EMPTY.usage,
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
    details: (r) =>
      r.eventLag.count === 0
        ? []
        : [`p50 ${formatDuration(r.eventLag.p50Ms)} · ${formatCount(r.eventLag.count)} events`],
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
    emptyText: EMPTY.invoices,
    series: (s) => s.invoiceLatency.p95Ms,
    details: (r) =>
      r.invoiceLatency.count === 0
        ? []
        : [
            `p50 ${formatDuration(r.invoiceLatency.p50Ms)} · ${formatCount(r.invoiceLatency.count)} invoices issued`,
          ],
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
    emptyText: EMPTY.postings,
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
    emptyText: EMPTY.postings,
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
    emptyText: EMPTY.reconciliation,
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
        `p50 ${formatDuration(p.p50Ms)} · ${formatCount(p.count)} payments`,
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

export function formatValue(kind: ValueKind, value: number | null): string {
  switch (kind) {
    case "ratio":
      return formatPercent(value, 2);
    case "duration":
      return formatDuration(value);
    case "count":
      return formatCount(value);
  }
}

/** The change from `previous` to `current`, in the unit a reader compares in (percentage points for ratios). */
export function changeBetween(
  kind: ValueKind,
  current: number,
  previous: number,
  higherIsBetter: boolean,
): TileChange {
  const delta = current - previous;
  const magnitude =
    kind === "ratio"
      ? `${(Math.abs(delta) * 100).toFixed(2)} pp`
      : kind === "duration"
        ? formatDuration(Math.abs(delta))
        : formatCount(Math.abs(delta));
  // A change too small to show in the tile's precision is no change.
  const shownAsZero =
    kind === "ratio"
      ? Math.abs(delta) < 0.00005
      : kind === "duration"
        ? Math.abs(delta) < 0.5
        : delta === 0;
  if (shownAsZero)
    return {
      text: kind === "ratio" ? "±0.00 pp" : `±${kind === "duration" ? "0 ms" : "0"}`,
      direction: "flat",
      assessment: "same",
    };
  const direction = delta > 0 ? "up" : "down";
  return {
    text: `${delta > 0 ? "+" : "−"}${magnitude}`,
    direction,
    assessment: (direction === "up") === higherIsBetter ? "better" : "worse",
  };
}

const STEP_MS: Record<SeriesUnit, number> = {
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
};
/** ISO weeks start on Monday; the epoch was a Thursday, so weeks are counted from 1970-01-05. */
const FIRST_MONDAY_MS = 4 * 86_400_000;

/**
 * Every bucket start of the range, as PostgreSQL's date_trunc labels them, so a chart has a
 * point for every bucket: a gap where one had nothing to measure, not a missing day.
 */
export function bucketStarts(from: Date, to: Date, unit: SeriesUnit): string[] {
  const step = STEP_MS[unit];
  const origin = unit === "week" ? FIRST_MONDAY_MS : 0;
  const starts: string[] = [];
  const first = Math.floor((from.getTime() - origin) / step) * step + origin;
  for (let t = first; t < to.getTime(); t += step) {
    starts.push(new Date(t).toISOString().replace(".000Z", "Z"));
  }
  return starts;
}

function seriesOf(
  report: KpiReport,
  buckets: string[],
  value: (s: KpiSummary) => number | null,
): SeriesPoint[] {
  const byBucket = new Map(report.series.map((s) => [s.bucket, s]));
  return buckets.map((bucket) => {
    const summary = byBucket.get(bucket);
    return { bucket, value: summary ? value(summary) : null };
  });
}

type OpenType = NonNullable<DrilldownSpec["openType"]>;

/** The exceptions queue filtered to one type and the entity on screen (the queue has no time range). */
export const queueLink = (type: ExceptionType, entity: string | null) =>
  `/exceptions${serializeQueueParams({ type, entity })}`;

/** The open exceptions of one type, as the queue's tab for that type counts them. */
function openNowOf(open: OpenType, count: number, entity: string | null): OpenNow {
  return {
    type: open.type,
    count,
    text:
      count === 0
        ? `No ${open.noun[1]} open now`
        : `${formatCount(count)} ${count === 1 ? open.noun[0] : open.noun[1]} open now`,
    href: queueLink(open.type, entity),
  };
}

/** A tile's open-now line, from the report's count of open exceptions by type. */
function openNowInReport(report: KpiReport, slug: DrilldownSlug): OpenNow | null {
  const open: OpenType | undefined = (DRILLDOWNS[slug] as DrilldownSpec).openType;
  if (!open) return null;
  return openNowOf(open, report.exceptions.byType[open.type]?.open ?? 0, report.range.entity);
}

/**
 * The open-now line of a drill-down page, counted as the tile and the queue count it: open,
 * in progress or awaiting approval, for the entity on screen, whatever the range.
 */
export async function loadOpenNow(
  db: Db,
  slug: DrilldownSlug,
  entity: string | null,
  now = new Date(),
): Promise<OpenNow | null> {
  const open: OpenType | undefined = (DRILLDOWNS[slug] as DrilldownSpec).openType;
  if (!open) return null;
  const rows = await openExceptions(db, { from: now, to: now, entity }, now);
  const count = Number(rows.find((r) => r.type === open.type)?.open ?? 0);
  return openNowOf(open, count, entity);
}

function isEmpty(r: KpiReport): boolean {
  return (
    r.usageCompleteness.expected === 0 &&
    r.eventLag.count === 0 &&
    r.invoiceLatency.count === 0 &&
    r.erpPosting.postings === 0 &&
    r.reconciliation.results === 0 &&
    r.paymentToEntitlement.count === 0 &&
    r.exceptions.open === 0 &&
    r.manualInterventions === 0
  );
}

export interface BuildOptions {
  /** The query string of the current filters (entity, range, from, to), carried into every link. */
  filterQuery: string;
}

export function buildOverview(
  current: KpiReport,
  previous: KpiReport,
  targets: KpiTargets,
  options: BuildOptions,
): Overview {
  const from = new Date(current.range.from);
  const to = new Date(current.range.to);
  const buckets = bucketStarts(from, to, current.range.bucket);
  const withQuery = (path: string, view?: string) => {
    const query = new URLSearchParams(options.filterQuery);
    if (view) query.set("view", view);
    const text = query.toString();
    return text ? `${path}?${text}` : path;
  };

  const tiles = TILES.map((spec): Tile => {
    const value = METRIC[spec.metric](current);
    const before = METRIC[spec.metric](previous);
    const judged = [spec.metric, ...(spec.alsoJudgedBy ?? [])];
    const rules = judged.map((m) => describeTarget(m, targets));
    return {
      id: spec.id,
      title: spec.title,
      kind: spec.kind,
      value,
      display: formatValue(spec.kind, value),
      measures: spec.measures,
      openNow: openNowInReport(current, spec.drill),
      details: spec.details(
        current,
        (view) => withQuery(drilldownPath(spec.drill), view),
        (type) => queueLink(type, current.range.entity),
      ),
      change:
        !spec.snapshot && value !== null && before !== null
          ? changeBetween(spec.kind, value, before, spec.higherIsBetter)
          : null,
      changeNote: spec.snapshot
        ? "not compared: a count of now, not of the range"
        : value !== null && before === null
          ? "no data in the previous period"
          : null,
      status: worstStatus(judged.map((m) => statusOf(m, METRIC[m](current), targets))),
      statusRule:
        judged.length > 1
          ? judged.map((m, i) => `${TARGET_LABEL[m]}: ${rules[i]}`).join("; ")
          : rules[0]!,
      plainDefinition: KPI_IN_PLAIN_WORDS[spec.definition],
      definition: KPI_DEFINITIONS[spec.definition],
      href: withQuery(drilldownPath(spec.drill)),
      sparkline: spec.series ? seriesOf(current, buckets, spec.series) : null,
      emptyText: spec.emptyText,
    };
  });

  return {
    range: { ...current.range },
    previous: { from: previous.range.from, to: previous.range.to },
    empty: isEmpty(current),
    tiles,
    charts: {
      bucket: current.range.bucket,
      completeness: {
        points: seriesOf(current, buckets, (s) => s.usageCompleteness.ratio),
        emptyText: EMPTY.usage,
      },
      invoiceLatencyP95: {
        points: seriesOf(current, buckets, (s) => s.invoiceLatency.p95Ms),
        emptyText: EMPTY.invoices,
      },
      firstPassRate: {
        points: seriesOf(current, buckets, (s) => s.erpPosting.firstPassSuccessRate),
        emptyText: EMPTY.postings,
      },
      breaks: {
        points: seriesOf(current, buckets, (s) =>
          countOf(s.reconciliation.breaks, s.reconciliation.results),
        ),
        emptyText: EMPTY.reconciliation,
      },
      targets: {
        completeness: targets.usageCompleteness?.ok ?? null,
        invoiceLatencyP95: targets.invoiceLatencyP95?.ok ?? null,
        firstPassRate: targets.erpFirstPassRate?.ok ?? null,
      },
    },
  };
}

const TARGET_LABEL: Record<TargetMetric, string> = {
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

/**
 * Loads what the overview shows for `scope`: the range's KPIs with their series, the previous
 * equal period's headline numbers (no series: they are only compared against) and the targets.
 */
export async function loadOverview(
  db: Db,
  scope: KpiScope,
  options: BuildOptions & { now?: Date },
): Promise<Overview> {
  const now = options.now ?? new Date();
  const before = previousPeriod(scope);
  const [current, previous, targets] = await Promise.all([
    computeKpis(db, scope, { now, include: { series: true, byEntity: false }, weeks: true }),
    computeKpis(
      db,
      { ...before, entity: scope.entity },
      { now, include: { series: false, byEntity: false, details: false } },
    ),
    loadTargets(db),
  ]);
  return buildOverview(current, previous, targets, options);
}
