import { formatCount, formatDuration, formatPercent } from "@/lib/format";
import type { RecordsFor } from "@/lib/kpi/drilldown-records";
import { DateTime } from "@/components/ui/date-time";
import { EventLink, NO_DATA_IN_RANGE, RecordsTable, type RecordsViewProps } from "./records-table";

/* The drill-downs of what the sources send: usage checkpoints and every event's lag. */

export function UsageCompletenessRecords({
  records,
  href,
}: RecordsViewProps<RecordsFor<"usage-completeness">>) {
  const { summary, view } = records;
  return (
    <RecordsTable
      href={href}
      firstPage={records.firstPage}
      page={records.page}
      empty={
        view === "incomplete" ? "Every checkpoint in this range is complete." : NO_DATA_IN_RANGE
      }
      summary={
        <>
          {formatCount(summary.checkpoints)} checkpoints · {formatCount(summary.received)} of{" "}
          {formatCount(summary.expected)} expected events received (
          {formatPercent(
            BigInt(summary.expected) > 0n
              ? Number(summary.received) / Number(summary.expected)
              : null,
            2,
          )}
          ) · {formatCount(summary.missing)} missing · {formatCount(summary.incomplete)} incomplete
        </>
      }
      columns={[
        { label: "Window end" },
        { label: "Window start" },
        { label: "Source" },
        { label: "Entity" },
        { label: "Meter" },
        { label: "Expected", numeric: true },
        { label: "Received", numeric: true },
        { label: "Missing", numeric: true },
        { label: "Completeness", numeric: true },
        { label: "Event" },
      ]}
      rowKey={(r) => r.event_seq}
      row={(r) => (
        <>
          <td className="nowrap">
            <DateTime value={r.window_end} />
          </td>
          <td className="nowrap">
            <DateTime value={r.window_start} />
          </td>
          <td>{r.source}</td>
          <td>{r.entity}</td>
          <td>{r.meter}</td>
          <td className="num">{formatCount(r.expected)}</td>
          <td className="num">{formatCount(r.received)}</td>
          <td className="num">
            {r.missing > 0 ? <span className="badge bad">{formatCount(r.missing)}</span> : "0"}
          </td>
          <td className="num">
            {formatPercent(r.expected > 0 ? r.received / r.expected : null, 2)}
          </td>
          <td>
            <EventLink seq={r.event_seq} />
          </td>
        </>
      )}
    />
  );
}

export function EventLagRecords({ records, href }: RecordsViewProps<RecordsFor<"event-lag">>) {
  return (
    <RecordsTable
      href={href}
      firstPage={records.firstPage}
      page={records.page}
      empty={NO_DATA_IN_RANGE}
      summary={<>{formatCount(records.count)} events received in the range</>}
      columns={[
        { label: "Event" },
        { label: "Type" },
        { label: "Source" },
        { label: "Entity" },
        { label: "Event time" },
        { label: "Received" },
        { label: "Lag", numeric: true },
      ]}
      rowKey={(r) => r.seq}
      row={(r) => (
        <>
          <td>
            <EventLink seq={r.seq}>{r.event_id}</EventLink>
          </td>
          <td>{r.type}</td>
          <td>{r.source}</td>
          <td>{r.entity ?? "—"}</td>
          <td className="nowrap">
            <DateTime value={r.time} />
          </td>
          <td className="nowrap">
            <DateTime value={r.received_at} />
          </td>
          <td className="num">{formatDuration(r.lag_ms)}</td>
        </>
      )}
    />
  );
}
