import type { Metadata } from "next";
import { getDb } from "@/db";
import { eventVolumeByType, recentRejections } from "@/db/queries/ingestion";
import { guardPage } from "@/lib/auth/session";
import { loadGlobalFilters } from "@/lib/filters/search-params";
import { resolveTimeRange } from "@/lib/filters/time-range";
import { formatCount, formatDateTime } from "@/lib/format";

export const metadata: Metadata = { title: "Ingestion" };

export default async function IngestionPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await guardPage("/ingestion");
  const range = resolveTimeRange(loadGlobalFilters(await searchParams));
  const db = await getDb();
  const [volume, rejections] = await Promise.all([
    eventVolumeByType(db, range),
    recentRejections(db, range),
  ]);
  return (
    <>
      <h1>Ingestion</h1>
      <section className="card" aria-labelledby="volume">
        <h2 id="volume">Accepted events by type</h2>
        {volume.length === 0 ? (
          <p className="muted">No events were received in this range.</p>
        ) : (
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Type</th>
                <th scope="col" className="num">
                  Events
                </th>
                <th scope="col">Last received</th>
              </tr>
            </thead>
            <tbody>
              {volume.map((row) => (
                <tr key={row.type}>
                  <td>
                    <code>{row.type}</code>
                  </td>
                  <td className="num">{formatCount(row.events)}</td>
                  <td>{formatDateTime(row.lastReceived)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="card" aria-labelledby="rejected">
        <h2 id="rejected">Rejected events</h2>
        {rejections.length === 0 ? (
          <p className="muted">Nothing was rejected in this range.</p>
        ) : (
          <div className="table-wrap">
            <table className="data" data-testid="rejected-table">
              <thead>
                <tr>
                  <th scope="col">Received</th>
                  <th scope="col">Source</th>
                  <th scope="col">Event id</th>
                  <th scope="col">Type</th>
                  <th scope="col">Reasons</th>
                </tr>
              </thead>
              <tbody>
                {rejections.map((r) => (
                  <tr key={r.id}>
                    <td>{formatDateTime(r.receivedAt)}</td>
                    <td>{r.source ?? "—"}</td>
                    <td>{r.event_id ?? "—"}</td>
                    <td>{r.type ?? "—"}</td>
                    <td>
                      <ul style={{ margin: 0, paddingLeft: "1rem" }}>
                        {r.errors.map((e, i) => (
                          <li key={i}>{e}</li>
                        ))}
                      </ul>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
