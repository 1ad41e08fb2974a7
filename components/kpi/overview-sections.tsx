import type { ComponentType, ReactNode } from "react";
import {
  LazyChartBarBreaks,
  LazyChartLineCompleteness,
  LazyChartLineFirstPass,
  LazyChartLineInvoiceLatency,
} from "@/components/chart/lazy";
import { sparseNote, type BucketUnit } from "@/components/chart/chart-theme";
import type {
  ChartSeries,
  Overview,
  OverviewCharts as OverviewChartData,
} from "@/lib/kpi/overview";
import type { KpiSeriesProps } from "@/components/chart/time-series-line";
import { KpiTile } from "./kpi-tile";
import styles from "./kpi.module.css";

/*
 * The overview's two streamed sections. Each awaits the same overview promise (started once
 * by the page), so the shell and the skeletons paint first and the numbers follow.
 */

export async function OverviewTiles({ overview }: { overview: Promise<Overview> }) {
  const data = await overview;
  return (
    <>
      {data.empty ? (
        <p className="alert" role="status" data-testid="overview-empty">
          No data in this range{data.range.entity ? ` for ${data.range.entity}` : ""}: nothing was
          received, issued, posted, paid or reconciled. Try a longer time range or another entity.
        </p>
      ) : null}
      <div className="grid-tiles" data-testid="kpi-tiles">
        {data.tiles.map((tile) => (
          <KpiTile key={tile.id} tile={tile} bucket={data.range.bucket} />
        ))}
      </div>
    </>
  );
}

/**
 * A trend chart, or its empty state in words when no bucket of the range had anything to
 * measure: an empty grid would look like a chart that failed to load.
 */
function ChartCard({
  id,
  title,
  description,
  series,
  unit,
  legend,
  children,
}: {
  id: string;
  title: string;
  description: string;
  series: ChartSeries;
  unit: BucketUnit;
  legend?: string;
  children: ReactNode;
}) {
  const hasData = series.points.some((p) => p.value !== null);
  const sparse = sparseNote(series.points, unit);
  return (
    <figure className={`card ${styles.chart}`} data-testid={`chart-${id}`}>
      <figcaption>
        <span className={styles.chartTitle}>{title}</span>
        <span className="muted">{description}</span>
      </figcaption>
      {hasData ? (
        <>
          {children}
          {sparse || legend ? (
            <p className={styles.sparse}>{[legend, sparse].filter(Boolean).join(". ")}</p>
          ) : null}
        </>
      ) : (
        <p className={styles.chartEmpty} data-testid="chart-empty">
          {series.emptyText}
        </p>
      )}
    </figure>
  );
}

const PER: Record<BucketUnit, string> = {
  hour: "per hour (UTC)",
  day: "per day (UTC)",
  week: "per week (UTC, from Monday)",
};

/** The line charts, in the order they stand, each with the target its series is judged by. */
const LINE_CHARTS: readonly {
  id: string;
  title: string;
  description: string;
  series: keyof OverviewChartData["targets"];
  Chart: ComponentType<KpiSeriesProps>;
}[] = [
  {
    id: "completeness",
    title: "Usage completeness",
    description: "Share of expected usage received",
    series: "completeness",
    Chart: LazyChartLineCompleteness,
  },
  {
    id: "invoice-latency",
    title: "Invoice latency p95",
    description: "Time from period end to invoice issued",
    series: "invoiceLatencyP95",
    Chart: LazyChartLineInvoiceLatency,
  },
  {
    id: "first-pass",
    title: "ERP first-pass success",
    description: "Postings accepted by the ledger at the first attempt",
    series: "firstPassRate",
    Chart: LazyChartLineFirstPass,
  },
];

export async function OverviewCharts({ overview }: { overview: Promise<Overview> }) {
  const { charts } = await overview;
  const unit = charts.bucket;
  const per = PER[unit];
  return (
    <div className={styles.charts} data-testid="kpi-charts">
      {LINE_CHARTS.map(({ id, title, description, series, Chart }) => (
        <ChartCard
          key={id}
          id={id}
          title={title}
          description={`${description}, ${per}`}
          series={charts[series]}
          unit={unit}
        >
          <Chart points={charts[series].points} unit={unit} target={charts.targets[series]} />
        </ChartCard>
      ))}
      <ChartCard
        id="breaks"
        title="Reconciliation breaks"
        description={`Results outside tolerance, by period end, ${per}`}
        series={charts.breaks}
        unit={unit}
        legend="A dot on the baseline: results reported, none broke; blank: no result reported"
      >
        <LazyChartBarBreaks points={charts.breaks.points} unit={unit} />
      </ChartCard>
    </div>
  );
}
