import { formatCount, formatDuration, formatMoney } from "@/lib/format";
import type { RecordsFor } from "@/lib/kpi/drilldown-records";
import { DateTime } from "@/components/ui/date-time";
import { RecordsTable, type RecordsViewProps } from "./records-table";

/* The drill-downs of people's work: exceptions open now and the actions people took. */

export function ExceptionRecords({ records, href }: RecordsViewProps<RecordsFor<"exceptions">>) {
  return (
    <RecordsTable
      href={href}
      firstPage={records.firstPage}
      page={records.page}
      empty="No exception is open."
      summary={
        <>{formatCount(records.count)} exceptions open now (not limited to the time range)</>
      }
      columns={[
        { label: "Opened" },
        { label: "Age", numeric: true },
        { label: "Type" },
        { label: "Title" },
        { label: "Entity" },
        { label: "Severity" },
        { label: "Status" },
        { label: "Amount", numeric: true },
      ]}
      rowKey={(r) => r.id}
      row={(r) => (
        <>
          <td className="nowrap">
            <DateTime value={r.opened_at} />
          </td>
          <td className="num">{formatDuration(r.age_ms)}</td>
          <td>{r.type.replaceAll("_", " ")}</td>
          <td>{r.title}</td>
          <td>{r.entity ?? "—"}</td>
          <td>{r.severity}</td>
          <td>{r.status.replaceAll("_", " ")}</td>
          <td className="num nowrap">
            {r.amount_minor && r.currency ? formatMoney(r.amount_minor, r.currency) : "—"}
          </td>
        </>
      )}
    />
  );
}

export function InterventionRecords({
  records,
  href,
}: RecordsViewProps<RecordsFor<"manual-interventions">>) {
  return (
    <RecordsTable
      href={href}
      firstPage={records.firstPage}
      page={records.page}
      empty="No manual intervention in this range."
      summary={<>{formatCount(records.count)} human actions in the range</>}
      columns={[{ label: "When" }, { label: "Who" }, { label: "Action" }, { label: "Target" }]}
      rowKey={(r) => r.id}
      row={(r) => (
        <>
          <td className="nowrap">
            <DateTime value={r.at} />
          </td>
          <td>{r.actor_label ?? "—"}</td>
          <td>{r.action}</td>
          <td>{r.target_type ? `${r.target_type} ${r.target_id ?? ""}` : "—"}</td>
        </>
      )}
    />
  );
}
