import type { ReactNode } from "react";
import {
  LazyChartBarBreaks,
  LazyChartLineCompleteness,
  LazyChartLineFirstPass,
  LazyChartLineInvoiceLatency,
} from "@/components/chart/lazy";
import type { Overview, SeriesPoint } from "@/lib/kpi/overview";
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

function ChartCard({
  title,
  description,
  points,
  children,
}: {
  title: string;
  description: string;
  points: SeriesPoint[];
  children: ReactNode;
}) {
  const hasData = points.some((p) => p.value !== null);
  return (
    <figure className={`card ${styles.chart}`}>
      <figcaption>
        <span className={styles.chartTitle}>{title}</span>
        <span className="muted">{description}</span>
      </figcaption>
      {hasData ? children : <p className={styles.chartEmpty}>No data in this range</p>}
    </figure>
  );
}

export async function OverviewCharts({ overview }: { overview: Promise<Overview> }) {
  const { charts } = await overview;
  const per = charts.bucket === "hour" ? "per hour" : "per day (UTC)";
  return (
    <div className={styles.charts} data-testid="kpi-charts">
      <ChartCard
        title="Usage completeness"
        description={`Received ÷ expected, ${per}`}
        points={charts.completeness}
      >
        <LazyChartLineCompleteness
          points={charts.completeness}
          unit={charts.bucket}
          target={charts.targets.completeness}
        />
      </ChartCard>
      <ChartCard
        title="Invoice latency p95"
        description={`issuedAt − periodEnd, ${per}`}
        points={charts.invoiceLatencyP95}
      >
        <LazyChartLineInvoiceLatency
          points={charts.invoiceLatencyP95}
          unit={charts.bucket}
          target={charts.targets.invoiceLatencyP95}
        />
      </ChartCard>
      <ChartCard
        title="ERP first-pass success"
        description={`Postings whose attempt 1 succeeded, ${per}`}
        points={charts.firstPassRate}
      >
        <LazyChartLineFirstPass
          points={charts.firstPassRate}
          unit={charts.bucket}
          target={charts.targets.firstPassRate}
        />
      </ChartCard>
      <ChartCard
        title="Reconciliation breaks"
        description={`Results over tolerance, ${per}`}
        points={charts.breaks}
      >
        <LazyChartBarBreaks points={charts.breaks} unit={charts.bucket} />
      </ChartCard>
    </div>
  );
}
