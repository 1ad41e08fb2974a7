import type { Metadata } from "next";
import { SourceHealthTable } from "@/components/ingestion/source-health-table";
import { VolumeChart } from "@/components/ingestion/volume-chart";
import { LiveRefresh } from "@/components/kpi/live-refresh";
import { AsOf } from "@/components/shell/as-of";
import { can } from "@/lib/auth/permissions";
import { guardPage } from "@/lib/auth/session";
import { loadGlobalFilters } from "@/lib/filters/search-params";
import { resolveTimeRange } from "@/lib/filters/time-range";
import { formatCount } from "@/lib/format";
import { HEALTH_WINDOW_DAYS, QUIET_LOOKBACK_DAYS, type SourceHealth } from "@/lib/ingest/health";
import { loadIngestionView } from "@/lib/ingest/ingestion-view";
import { readForPage } from "@/lib/server/read-routing";
import { DateTime } from "@/components/ui/date-time";
import { DataTable } from "@/components/table/data-table";

export const metadata: Metadata = { title: "Ingestion" };

/** A silent source is news: the page follows arrivals without a reload. */
const REFRESH_MS = 60_000;

/** The chart opens on a silent pair if there is one, else on the busiest; the rest follow. */
function volumeSeries(sources: SourceHealth[]) {
  return sources
    .filter((s) => s.lastReceivedAt !== null)
    .sort(
      (a, b) =>
        Number(b.freshness === "silent") - Number(a.freshness === "silent") || b.events - a.events,
    )
    .map((s) => ({ source: s.source, type: s.type, points: s.daily }));
}

export default async function IngestionPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const user = await guardPage("/ingestion");
  const range = resolveTimeRange(loadGlobalFilters(await searchParams));
  const {
    value: { health, volume, rejections },
    asOf,
  } = await readForPage((db) => loadIngestionView(db, range));
  const silent = health.sources.filter((s) => s.freshness === "silent");
  return (
    <>
      <div
        style={{
          display: "flex",
          flexWrap: "wrap",
          gap: "1rem",
          alignItems: "center",
          justifyContent: "space-between",
        }}
      >
        <div>
          <h1>Ingestion</h1>
          <AsOf asOf={asOf} />
        </div>
        <LiveRefresh intervalMs={REFRESH_MS} renderedAt={health.generatedAt} />
      </div>
      <section className="card" aria-labelledby="health">
        <h2 id="health">Health by source and event type</h2>
        <p className="muted">
          The last {HEALTH_WINDOW_DAYS} days, whatever the time range above: a source is flagged
          silent when it has been quiet for longer than three times its usual gap between arrivals,
          longer than its longest quiet spell of the last {QUIET_LOOKBACK_DAYS} days, and at least
          15 minutes; or when it sent nothing in those {QUIET_LOOKBACK_DAYS} days. Checked{" "}
          <DateTime value={health.generatedAt} />.
        </p>
        {health.sources.length === 0 ? (
          <p className="muted">No source has sent anything yet.</p>
        ) : (
          <>
            <p data-testid="health-summary">
              {silent.length === 0 ? (
                <span className="badge ok">All sources on time</span>
              ) : (
                <>
                  <span className="badge bad">
                    {silent.length} of {health.sources.length} silent
                  </span>{" "}
                  {silent.map((s) => `${s.source} (${s.type})`).join(", ")}
                </>
              )}
            </p>
            <SourceHealthTable
              sources={health.sources}
              canOpenQueue={can(user.role, "exceptions:read")}
            />
          </>
        )}
      </section>
      <section className="card" aria-labelledby="daily-volume">
        <h2 id="daily-volume">Daily volume</h2>
        <p className="muted">
          Accepted events per UTC day of receipt, the last {HEALTH_WINDOW_DAYS} days (today so far).
        </p>
        <VolumeChart series={volumeSeries(health.sources)} />
      </section>
      <section className="card" aria-labelledby="volume">
        <h2 id="volume">Accepted events by type in the time range</h2>
        {volume.length === 0 ? (
          <p className="muted">No events were received in this range.</p>
        ) : (
          <DataTable
            stack={false}
            testId="volume-table"
            rows={volume.map((row) => ({ ...row, id: row.type }))}
            columns={[
              { header: "Type", cell: (row) => <code>{row.type}</code> },
              { header: "Events", numeric: true, cell: (row) => formatCount(row.events) },
              { header: "Last received", cell: (row) => <DateTime value={row.lastReceived} /> },
            ]}
          />
        )}
      </section>
      <section className="card" aria-labelledby="rejected">
        <h2 id="rejected">Rejected events in the time range</h2>
        <DataTable
          label="Rejected events"
          stack={false}
          testId="rejected-table"
          rows={rejections}
          empty="Nothing was rejected in this range."
          columns={[
            { header: "Received", cell: (r) => <DateTime value={r.receivedAt} /> },
            { header: "Source", cell: (r) => r.source ?? "—" },
            { header: "Event id", cell: (r) => r.event_id ?? "—" },
            { header: "Type", cell: (r) => r.type ?? "—" },
            {
              header: "Reasons",
              cell: (r) => (
                <ul style={{ margin: 0, paddingLeft: "1rem" }}>
                  {r.errors.map((e, i) => (
                    <li key={i}>{e}</li>
                  ))}
                </ul>
              ),
            },
          ]}
        />
      </section>
    </>
  );
}
