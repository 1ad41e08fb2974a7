import Link from "next/link";
import { sparseNote, type BucketUnit } from "@/components/chart/chart-theme";
import { LazyChartSparklineKpi } from "@/components/chart/lazy";
import type { Tile } from "@/lib/kpi/overview";
import styles from "./kpi.module.css";
import { StatusBadge } from "./status-badge";

const ARROW = { up: "▲", down: "▼", flat: "●" } as const;

/** One KPI: value, change against the previous period, trend, status and the way to its records. */
export function KpiTile({ tile, bucket }: { tile: Tile; bucket: BucketUnit }) {
  const headingId = `tile-${tile.id}-title`;
  const hasSeries = tile.sparkline?.some((p) => p.value !== null) ?? false;
  const sparse = tile.sparkline ? sparseNote(tile.sparkline, bucket) : null;
  return (
    <article
      className={`card ${styles.tile}`}
      aria-labelledby={headingId}
      data-testid={`tile-${tile.id}`}
      data-status={tile.status}
    >
      <div className={styles.head}>
        <h3 id={headingId} className={styles.title}>
          <Link href={tile.href}>{tile.title}</Link>
        </h3>
        <StatusBadge status={tile.status} />
      </div>
      <p className={styles.value} data-testid="tile-value">
        {tile.display}
      </p>
      <p className={styles.measures} data-testid="tile-measures">
        {tile.measures}
      </p>
      {tile.openNow ? (
        <p
          className={tile.openNow.count > 0 ? styles.openNow : styles.nothingOpen}
          data-testid="tile-open-now"
          data-count={tile.openNow.count}
        >
          {tile.openNow.count > 0 ? <span aria-hidden="true">! </span> : null}
          <Link href={tile.openNow.href}>{tile.openNow.text} →</Link>
        </p>
      ) : null}
      <p className={styles.change}>
        {tile.change ? (
          <>
            <span
              className={
                tile.change.assessment === "same" ? undefined : styles[tile.change.assessment]
              }
            >
              <span aria-hidden="true">{ARROW[tile.change.direction]}</span> {tile.change.text}
              {tile.change.assessment === "same" ? "" : ` (${tile.change.assessment})`}
            </span>{" "}
            vs previous period
          </>
        ) : (
          (tile.changeNote ?? "no change to show")
        )}
      </p>
      {tile.sparkline === null ? (
        <p className={styles.noSeries}>No trend for this KPI</p>
      ) : hasSeries ? (
        <>
          <LazyChartSparklineKpi
            title={tile.title}
            points={tile.sparkline}
            format={tile.kind}
            unit={bucket}
          />
          {sparse ? <p className={styles.sparse}>{sparse}</p> : null}
        </>
      ) : (
        <p className={styles.noSeries} data-testid="tile-no-series">
          {tile.emptyText}
        </p>
      )}
      <ul className={styles.details}>
        {tile.details.map((detail) => (
          <li key={typeof detail === "string" ? detail : detail.href}>
            {typeof detail === "string" ? detail : <Link href={detail.href}>{detail.text}</Link>}
          </li>
        ))}
      </ul>
      <p className={styles.rule}>Status: {tile.statusRule}</p>
      <details className={styles.definition}>
        <summary>Definition</summary>
        <p>{tile.plainDefinition}</p>
        <p>Exactly: {tile.definition}</p>
      </details>
      <p className={styles.footer}>
        <Link href={tile.href} aria-label={`Records behind ${tile.title}`}>
          View records →
        </Link>
      </p>
    </article>
  );
}
