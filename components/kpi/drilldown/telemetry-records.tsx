import { formatCount, formatPercent } from "@/lib/format";
import type { RecordsFor } from "@/lib/kpi/drilldown-records";
import { EventLink } from "./event-link";
import { NO_DATA_IN_RANGE, RecordsTable, type RecordsViewProps } from "./records-table";

/* The drill-downs of what the sources send: usage checkpoints and every event's lag. */

export function UsageCompletenessRecords({
  records,
  href,
}: RecordsViewProps<RecordsFor<"usage-completeness">>) {
  const { summary, view } = records;
  return (
    <RecordsTable
      records={records}
      href={href}
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
      columns={(column) => [
        column.time("Window end", (r) => r.window_end),
        column.time("Window start", (r) => r.window_start),
        column.text("Source", (r) => r.source),
        column.text("Entity", (r) => r.entity),
        column.text("Meter", (r) => r.meter),
        column.count("Expected", (r) => r.expected),
        column.count("Received", (r) => r.received),
        {
          header: "Missing",
          numeric: true,
          cell: (r) =>
            r.missing > 0 ? <span className="badge bad">{formatCount(r.missing)}</span> : "0",
        },
        {
          header: "Completeness",
          numeric: true,
          cell: (r) => formatPercent(r.expected > 0 ? r.received / r.expected : null, 2),
        },
        column.event("Event", (r) => r.event_seq),
      ]}
      rowKey={(r) => r.event_seq}
    />
  );
}

export function EventLagRecords({ records, href }: RecordsViewProps<RecordsFor<"event-lag">>) {
  return (
    <RecordsTable
      records={records}
      href={href}
      empty={NO_DATA_IN_RANGE}
      summary={<>{formatCount(records.count)} events received in the range</>}
      columns={(column) => [
        { header: "Event", cell: (r) => <EventLink seq={r.seq}>{r.event_id}</EventLink> },
        column.text("Type", (r) => r.type),
        column.text("Source", (r) => r.source),
        column.text("Entity", (r) => r.entity),
        column.time("Event time", (r) => r.time),
        column.time("Received", (r) => r.received_at),
        column.duration("Lag", (r) => r.lag_ms),
      ]}
      rowKey={(r) => r.seq}
    />
  );
}
