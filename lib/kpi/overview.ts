import type { Db } from "@/db/client";
import type { KpiScope, SeriesUnit } from "@/db/queries/kpis";
import { previousPeriod } from "@/lib/filters/time-range";
import { KPI_DEFINITIONS, KPI_IN_PLAIN_WORDS } from "./definitions";
import { drilldownPath } from "./drilldown";
import { computeKpis, type KpiReport } from "./engine";
import { openNowInReport, queueLink, type OpenNow } from "./open-now";
import { bucketStarts, seriesOf, type SeriesPoint } from "./series";
import {
  describeTarget,
  loadTargets,
  statusOf,
  worstStatus,
  type KpiStatus,
  type KpiTargets,
} from "./targets";
import { EMPTY_TEXT, METRIC, TARGET_LABEL, TILES, countOf, type TileLink } from "./tiles";
import { changeBetween, formatValue, type TileChange, type ValueKind } from "./tile-value";

/*
 * The overview page as data: one tile per KPI with its value, the change against the
 * previous equal period, a sparkline, a status against the admin's targets and the link to
 * the records behind it; and the series the charts under the tiles draw. Built on the server
 * from two KpiReports, so the page ships numbers, not the rules that produced them.
 */

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
        emptyText: EMPTY_TEXT.usage,
      },
      invoiceLatencyP95: {
        points: seriesOf(current, buckets, (s) => s.invoiceLatency.p95Ms),
        emptyText: EMPTY_TEXT.invoices,
      },
      firstPassRate: {
        points: seriesOf(current, buckets, (s) => s.erpPosting.firstPassSuccessRate),
        emptyText: EMPTY_TEXT.postings,
      },
      breaks: {
        points: seriesOf(current, buckets, (s) =>
          countOf(s.reconciliation.breaks, s.reconciliation.results),
        ),
        emptyText: EMPTY_TEXT.reconciliation,
      },
      targets: {
        completeness: targets.usageCompleteness?.ok ?? null,
        invoiceLatencyP95: targets.invoiceLatencyP95?.ok ?? null,
        firstPassRate: targets.erpFirstPassRate?.ok ?? null,
      },
    },
  };
}

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
