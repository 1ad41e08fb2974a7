import { formatCount } from "@/lib/format";
import type { RecordsFor } from "@/lib/kpi/drilldown-records";
import { RecordsTable, type RecordsViewProps } from "./records-table";

/* The drill-downs of people's work: exceptions open now and the actions people took. */

export function ExceptionRecords({ records, href }: RecordsViewProps<RecordsFor<"exceptions">>) {
  return (
    <RecordsTable
      records={records}
      href={href}
      empty="No exception is open."
      summary={
        <>{formatCount(records.count)} exceptions open now (not limited to the time range)</>
      }
      columns={(column) => [
        column.time("Opened", (r) => r.opened_at),
        column.duration("Age", (r) => r.age_ms),
        column.code("Type", (r) => r.type),
        column.text("Title", (r) => r.title),
        column.text("Entity", (r) => r.entity),
        column.text("Severity", (r) => r.severity),
        column.code("Status", (r) => r.status),
        column.money("Amount", (r) => [r.amount_minor, r.currency]),
      ]}
      rowKey={(r) => r.id}
    />
  );
}

export function InterventionRecords({
  records,
  href,
}: RecordsViewProps<RecordsFor<"manual-interventions">>) {
  return (
    <RecordsTable
      records={records}
      href={href}
      empty="No manual intervention in this range."
      summary={<>{formatCount(records.count)} human actions in the range</>}
      columns={(column) => [
        column.time("When", (r) => r.at),
        column.text("Who", (r) => r.actor_label),
        column.text("Action", (r) => r.action),
        column.text("Target", (r) =>
          r.target_type ? `${r.target_type} ${r.target_id ?? ""}` : null,
        ),
      ]}
      rowKey={(r) => r.id}
    />
  );
}
