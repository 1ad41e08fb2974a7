import styles from "./kpi.module.css";

/** Placeholders with the sections' real sizes, so the page does not shift when data arrives. */
export function TilesSkeleton({ count = 9 }: { count?: number }) {
  return (
    <div className="grid-tiles" role="status" aria-busy="true" aria-label="Loading KPIs">
      {Array.from({ length: count }, (_, i) => (
        <div key={i} className={`card ${styles.skeletonTile}`}>
          <div className="skeleton" style={{ width: "60%" }} />
          <div className="skeleton" style={{ height: "2.2rem", width: "45%" }} />
          <div className="skeleton" style={{ width: "70%" }} />
          <div className="skeleton" style={{ height: 44 }} />
          <div className="skeleton" style={{ width: "80%" }} />
        </div>
      ))}
    </div>
  );
}

export function ChartsSkeleton() {
  return (
    <div className={styles.charts} role="status" aria-busy="true" aria-label="Loading charts">
      {Array.from({ length: 4 }, (_, i) => (
        <div key={i} className={`card ${styles.chart}`}>
          <div style={{ display: "grid", gap: "0.15rem" }}>
            <div className="skeleton" style={{ width: "40%", height: "1.3rem" }} />
            <div className="skeleton" style={{ width: "60%", height: "1.3rem" }} />
          </div>
          <div className="skeleton" style={{ height: 220 }} />
        </div>
      ))}
    </div>
  );
}
