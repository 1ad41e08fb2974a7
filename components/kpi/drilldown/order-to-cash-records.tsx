import { formatCount, formatDuration, formatMoney, formatPercent } from "@/lib/format";
import type { RecordsFor } from "@/lib/kpi/drilldown-records";
import { CustomerThreadLink, InvoiceThreadLink } from "@/components/thread/thread-links";
import { DateTime } from "@/components/ui/date-time";
import {
  EventLink,
  NO_DATA_IN_RANGE,
  RecordsTable,
  YesNo,
  type RecordsViewProps,
} from "./records-table";

/*
 * The drill-downs of order to cash: invoices issued, their ERP postings, the reconciliation
 * of the ledgers, and payments reaching the customer's entitlement.
 */

export function InvoiceLatencyRecords({
  records,
  href,
}: RecordsViewProps<RecordsFor<"invoice-latency">>) {
  return (
    <RecordsTable
      href={href}
      firstPage={records.firstPage}
      page={records.page}
      empty={NO_DATA_IN_RANGE}
      summary={<>{formatCount(records.count)} invoices issued in the range</>}
      columns={[
        { label: "Invoice" },
        { label: "Customer" },
        { label: "Entity" },
        { label: "Amount", numeric: true },
        { label: "Period end" },
        { label: "Issued" },
        { label: "Latency", numeric: true },
      ]}
      rowKey={(r) => r.invoice_id}
      row={(r) => (
        <>
          <td>
            <EventLink seq={r.event_seq}>{r.invoice_id}</EventLink> (
            <InvoiceThreadLink invoiceId={r.invoice_id}>thread</InvoiceThreadLink>)
          </td>
          <td>
            <CustomerThreadLink customerId={r.customer_id} />
          </td>
          <td>{r.entity}</td>
          <td className="num nowrap">{formatMoney(r.amount_minor, r.currency)}</td>
          <td className="nowrap">
            <DateTime value={r.period_end} />
          </td>
          <td className="nowrap">
            <DateTime value={r.issued_at} />
          </td>
          <td className="num">{formatDuration(r.latency_ms)}</td>
        </>
      )}
    />
  );
}

export function ErpPostingRecords({ records, href }: RecordsViewProps<RecordsFor<"erp-postings">>) {
  const { summary, view } = records;
  const firstPass = summary.postings - summary.firstPassFailed;
  return (
    <RecordsTable
      href={href}
      firstPage={records.firstPage}
      page={records.page}
      empty={view === "all" ? NO_DATA_IN_RANGE : "None in this range."}
      summary={
        <>
          {formatCount(summary.postings)} postings · {formatCount(firstPass)} succeeded at attempt 1
          ({formatPercent(summary.postings > 0 ? firstPass / summary.postings : null, 2)}) ·{" "}
          {formatCount(summary.firstPassFailed)} failed first pass ·{" "}
          {formatCount(summary.openFailures)} open failures
        </>
      }
      columns={[
        { label: "Posting" },
        { label: "Invoice" },
        { label: "Entity" },
        { label: "First attempt" },
        { label: "Attempts", numeric: true },
        { label: "First pass" },
        { label: "Latest status" },
        { label: "Error code" },
        { label: "Attempt events" },
      ]}
      rowKey={(r) => r.posting_id}
      row={(r) => (
        <>
          <td>{r.posting_id}</td>
          <td>
            <InvoiceThreadLink invoiceId={r.invoice_id} />
          </td>
          <td>{r.entity}</td>
          <td className="nowrap">
            <DateTime value={r.first_attempted_at} />
          </td>
          <td className="num">{formatCount(r.attempts)}</td>
          <td>
            <YesNo value={r.first_pass} good />
          </td>
          <td>
            <span className={`badge ${r.latest_status === "succeeded" ? "ok" : "bad"}`}>
              {r.latest_status}
            </span>
          </td>
          <td title={r.latest_error_message ?? undefined}>{r.latest_error_code ?? "—"}</td>
          <td className="nowrap">
            {r.attempt_list.map((a, i) => (
              <span key={a.seq}>
                {i > 0 ? " · " : ""}
                <EventLink seq={a.seq}>
                  #{a.attempt} {a.status}
                  {a.errorCode ? ` (${a.errorCode})` : ""}
                </EventLink>
              </span>
            ))}
          </td>
        </>
      )}
    />
  );
}

export function ReconciliationRecords({
  records,
  href,
}: RecordsViewProps<RecordsFor<"reconciliation">>) {
  const { summary, view } = records;
  const variance = Object.entries(summary.absVarianceMinor)
    .map(([currency, minor]) => formatMoney(minor, currency))
    .join(", ");
  return (
    <RecordsTable
      href={href}
      firstPage={records.firstPage}
      page={records.page}
      empty={view === "breaks" ? "No break in this range." : NO_DATA_IN_RANGE}
      summary={
        <>
          {formatCount(summary.results)} results · {formatCount(summary.breaks)} breaks ·{" "}
          {formatPercent(summary.results > 0 ? summary.breaks / summary.results : null)} break rate
          {variance ? ` · absolute variance ${variance}` : ""}
        </>
      }
      columns={[
        { label: "Run" },
        { label: "Key" },
        { label: "Kind" },
        { label: "Entity" },
        { label: "Period end" },
        { label: "Expected", numeric: true },
        { label: "Actual", numeric: true },
        { label: "Variance", numeric: true },
        { label: "Tolerance", numeric: true },
        { label: "Break" },
        { label: "Event" },
      ]}
      rowKey={(r) => r.event_seq}
      row={(r) => (
        <>
          <td>{r.run_id}</td>
          <td>{r.key}</td>
          <td>{r.kind.replaceAll("_", " ")}</td>
          <td>{r.entity}</td>
          <td className="nowrap">
            <DateTime value={r.period_end} />
          </td>
          <td className="num nowrap">{formatMoney(r.expected_minor, r.currency)}</td>
          <td className="num nowrap">{formatMoney(r.actual_minor, r.currency)}</td>
          <td className="num nowrap">{formatMoney(r.variance_minor, r.currency)}</td>
          <td className="num nowrap">{formatMoney(r.tolerance_minor, r.currency)}</td>
          <td>
            <YesNo value={r.is_break} good={false} />
          </td>
          <td>
            <EventLink seq={r.event_seq} />
          </td>
        </>
      )}
    />
  );
}

export function EntitlementSyncRecords({
  records,
  href,
}: RecordsViewProps<RecordsFor<"entitlement-sync">>) {
  const { summary, view } = records;
  return (
    <RecordsTable
      href={href}
      firstPage={records.firstPage}
      page={records.page}
      empty={view === "overdue" ? "No overdue entitlement update in this range." : NO_DATA_IN_RANGE}
      summary={
        <>
          {formatCount(summary.payments)} payments · {formatCount(summary.synced)} with an
          entitlement update · {formatCount(summary.overdue)} overdue
        </>
      }
      columns={[
        { label: "Payment" },
        { label: "Customer" },
        { label: "Invoice" },
        { label: "Entity" },
        { label: "Amount", numeric: true },
        { label: "Received" },
        { label: "Entitlement updated" },
        { label: "Sync time", numeric: true },
        { label: "Overdue" },
      ]}
      rowKey={(r) => r.payment_id}
      row={(r) => (
        <>
          <td>
            <EventLink seq={r.event_seq}>{r.payment_id}</EventLink>
          </td>
          <td>
            <CustomerThreadLink customerId={r.customer_id} />
          </td>
          <td>{r.invoice_id ? <InvoiceThreadLink invoiceId={r.invoice_id} /> : "—"}</td>
          <td>{r.entity ?? "—"}</td>
          <td className="num nowrap">{formatMoney(r.amount_minor, r.currency)}</td>
          <td className="nowrap">
            <DateTime value={r.received_at} />
          </td>
          <td className="nowrap">
            {r.first_update_at ? (
              <EventLink seq={r.update_event_seq}>
                <DateTime value={r.first_update_at} />
              </EventLink>
            ) : (
              "never"
            )}
          </td>
          <td className="num">{formatDuration(r.sync_ms)}</td>
          <td>
            <YesNo value={r.overdue} good={false} />
          </td>
        </>
      )}
    />
  );
}
