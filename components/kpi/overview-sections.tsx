import type { ReactNode } from "react";
import {
  LazyChartBarBreaks,
  LazyChartLineCompleteness,
  LazyChartLineFirstPass,
  LazyChartLineInvoiceLatency,
} from "@/components/chart/lazy";
import { sparseNote, type BucketUnit } from "@/components/chart/chart-theme";
import type { ChartSeries, Overview } from "@/lib/kpi/overview";
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

export async function OverviewCharts({ overview }: { overview: Promise<Overview> }) {
  const { charts } = await overview;
  const unit = charts.bucket;
  const per = PER[unit];
  return (
    <div className={styles.charts} data-testid="kpi-charts">
      <ChartCard
        id="completeness"
        title="Usage completeness"
        description={`Share of expected usage received, ${per}`}
        series={charts.completeness}
        unit={unit}
      >
        <LazyChartLineCompleteness
          points={charts.completeness.points}
          unit={unit}
          target={charts.targets.completeness}
        />
      </ChartCard>
      <ChartCard
        id="invoice-latency"
        title="Invoice latency p95"
        description={`Time from period end to invoice issued, ${per}`}
        series={charts.invoiceLatencyP95}
        unit={unit}
      >
        <LazyChartLineInvoiceLatency
          points={charts.invoiceLatencyP95.points}
          unit={unit}
          target={charts.targets.invoiceLatencyP95}
        />
      </ChartCard>
      <ChartCard
        id="first-pass"
        title="ERP first-pass success"
        description={`Postings accepted by the ledger at the first attempt, ${per}`}
        series={charts.firstPassRate}
        unit={unit}
      >
        <LazyChartLineFirstPass
          points={charts.firstPassRate.points}
          unit={unit}
          target={charts.targets.firstPassRate}
        />
      </ChartCard>
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
