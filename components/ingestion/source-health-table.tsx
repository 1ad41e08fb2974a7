import { HEALTH_WINDOW_DAYS, type Freshness, type SourceHealth } from "@/lib/ingest/health";
import { formatCount, formatDuration } from "@/lib/format";
import { DateTime } from "@/components/ui/date-time";

/*
 * One row per source × event type: is it on time, when did it last send, how often does it
 * usually, and what of it was rejected. Status is a word and a colour, never a colour alone.
 */

const STATUS: Record<Freshness, { label: string; badge: string }> = {
  silent: { label: "Silent", badge: "bad" },
  on_time: { label: "On time", badge: "ok" },
  unknown: { label: "Cadence unknown", badge: "" },
};

function statusDetail(s: SourceHealth): string {
  if (s.freshness === "silent") {
    return s.allowanceMs === null
      ? "nothing in the last 14 days"
      : `quiet ${formatDuration(s.sinceLastMs)}, allowed ${formatDuration(s.allowanceMs)}`;
  }
  if (s.freshness === "on_time") return `allowed ${formatDuration(s.allowanceMs)} of quiet`;
  return s.lastReceivedAt === null ? "nothing accepted yet" : "too few arrivals to learn";
}

/**
 * The arrivals beside the median gap, with their daily average: a source whose arrivals come
 * in bursts has a median gap of seconds though it sends a few hundred a day, and "every 10 s"
 * alone would read as thousands.
 */
function describeArrivals(arrivals: number): string {
  const counted = `${formatCount(arrivals)} ${arrivals === 1 ? "arrival" : "arrivals"} in ${HEALTH_WINDOW_DAYS} days`;
  const perDay = Math.round(arrivals / HEALTH_WINDOW_DAYS);
  return perDay >= 1 ? `${counted}, about ${formatCount(perDay)} a day` : counted;
}

export function SourceHealthTable({
  sources,
  canOpenQueue,
}: {
  sources: SourceHealth[];
  canOpenQueue: boolean;
}) {
  return (
    // A wide table on a phone scrolls inside its own focusable region, never the page.
    <div className="table-wrap" role="region" aria-label="Sources and event types" tabIndex={0}>
      {/* Seven columns stay legible on a phone by scrolling inside the region. */}
      <table className="data" data-testid="source-health" style={{ minWidth: "52rem" }}>
        <thead>
          <tr>
            <th scope="col">Source</th>
            <th scope="col">Event type</th>
            <th scope="col">Status</th>
            <th scope="col">Last event received</th>
            <th scope="col">Usual cadence</th>
            <th scope="col" className="num">
              Events, 14 days
            </th>
            <th scope="col" className="num">
              Rejected, waiting
            </th>
          </tr>
        </thead>
        <tbody>
          {sources.map((s) => {
            const status = STATUS[s.freshness];
            return (
              <tr
                key={`${s.source} ${s.type}`}
                data-testid="source-row"
                data-source={s.source}
                data-type={s.type}
                data-freshness={s.freshness}
              >
                <th scope="row" style={{ overflowWrap: "anywhere" }}>
                  {s.source}
                </th>
                <td>
                  <code>{s.type}</code>
                </td>
                <td>
                  <span className={`badge ${status.badge}`}>{status.label}</span>
                  <div className="muted">{statusDetail(s)}</div>
                </td>
                <td>
                  {s.lastReceivedAt ? (
                    <>
                      {formatDuration(s.sinceLastMs)} ago
                      <div className="muted">
                        <DateTime value={s.lastReceivedAt} />
                      </div>
                    </>
                  ) : (
                    "—"
                  )}
                </td>
                <td>
                  {s.cadenceMs === null ? "—" : `median gap ${formatDuration(s.cadenceMs)}`}
                  <div className="muted">{describeArrivals(s.arrivals)}</div>
                </td>
                <td className="num">{formatCount(s.events)}</td>
                <td className="num">
                  {s.rejected.waiting > 0 && canOpenQueue ? (
                    <a href={s.rejected.href}>{formatCount(s.rejected.waiting)} waiting</a>
                  ) : (
                    formatCount(s.rejected.waiting)
                  )}
                  {s.rejected.inWindow > 0 ? (
                    <div className="muted">{formatCount(s.rejected.inWindow)} in 14 days</div>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
