import { formatCount, formatMoney, formatPercent } from "@/lib/format";
import type { RecordsFor } from "@/lib/kpi/drilldown-records";
import { ThreadLink } from "@/components/thread/thread-links";
import { DateTime } from "@/components/ui/date-time";
import { EventLink } from "./event-link";
import { NO_DATA_IN_RANGE, RecordsTable, type RecordsViewProps } from "./records-table";

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
      records={records}
      href={href}
      empty={NO_DATA_IN_RANGE}
      summary={<>{formatCount(records.count)} invoices issued in the range</>}
      columns={(column) => [
        {
          header: "Invoice",
          cell: (r) => (
            <>
              <EventLink seq={r.event_seq}>{r.invoice_id}</EventLink> (
              <ThreadLink kind="invoice" id={r.invoice_id}>
                thread
              </ThreadLink>
              )
            </>
          ),
        },
        column.customer("Customer", (r) => r.customer_id),
        column.text("Entity", (r) => r.entity),
        column.money("Amount", (r) => [r.amount_minor, r.currency]),
        column.time("Period end", (r) => r.period_end),
        column.time("Issued", (r) => r.issued_at),
        column.duration("Latency", (r) => r.latency_ms),
      ]}
      rowKey={(r) => r.invoice_id}
    />
  );
}

export function ErpPostingRecords({ records, href }: RecordsViewProps<RecordsFor<"erp-postings">>) {
  const { summary, view } = records;
  const firstPass = summary.postings - summary.firstPassFailed;
  return (
    <RecordsTable
      records={records}
      href={href}
      empty={view === "all" ? NO_DATA_IN_RANGE : "None in this range."}
      summary={
        <>
          {formatCount(summary.postings)} postings · {formatCount(firstPass)} succeeded at attempt 1
          ({formatPercent(summary.postings > 0 ? firstPass / summary.postings : null, 2)}) ·{" "}
          {formatCount(summary.firstPassFailed)} failed first pass ·{" "}
          {formatCount(summary.openFailures)} open failures
        </>
      }
      columns={(column) => [
        column.text("Posting", (r) => r.posting_id),
        column.invoice("Invoice", (r) => r.invoice_id),
        column.text("Entity", (r) => r.entity),
        column.time("First attempt", (r) => r.first_attempted_at),
        column.count("Attempts", (r) => r.attempts),
        column.yesNo("First pass", (r) => r.first_pass, { good: true }),
        {
          header: "Latest status",
          cell: (r) => (
            <span className={`badge ${r.latest_status === "succeeded" ? "ok" : "bad"}`}>
              {r.latest_status}
            </span>
          ),
        },
        {
          header: "Error code",
          cell: (r) => (
            <span title={r.latest_error_message ?? undefined}>{r.latest_error_code ?? "—"}</span>
          ),
        },
        {
          header: "Attempt events",
          className: "nowrap",
          cell: (r) =>
            r.attempt_list.map((a, i) => (
              <span key={a.seq}>
                {i > 0 ? " · " : ""}
                <EventLink seq={a.seq}>
                  #{a.attempt} {a.status}
                  {a.errorCode ? ` (${a.errorCode})` : ""}
                </EventLink>
              </span>
            )),
        },
      ]}
      rowKey={(r) => r.posting_id}
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
      records={records}
      href={href}
      empty={view === "breaks" ? "No break in this range." : NO_DATA_IN_RANGE}
      summary={
        <>
          {formatCount(summary.results)} results · {formatCount(summary.breaks)} breaks ·{" "}
          {formatPercent(summary.results > 0 ? summary.breaks / summary.results : null)} break rate
          {variance ? ` · absolute variance ${variance}` : ""}
        </>
      }
      columns={(column) => [
        column.text("Run", (r) => r.run_id),
        column.text("Key", (r) => r.key),
        column.code("Kind", (r) => r.kind),
        column.text("Entity", (r) => r.entity),
        column.time("Period end", (r) => r.period_end),
        column.money("Expected", (r) => [r.expected_minor, r.currency]),
        column.money("Actual", (r) => [r.actual_minor, r.currency]),
        column.money("Variance", (r) => [r.variance_minor, r.currency]),
        column.money("Tolerance", (r) => [r.tolerance_minor, r.currency]),
        column.yesNo("Break", (r) => r.is_break, { good: false }),
        column.event("Event", (r) => r.event_seq),
      ]}
      rowKey={(r) => r.event_seq}
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
      records={records}
      href={href}
      empty={view === "overdue" ? "No overdue entitlement update in this range." : NO_DATA_IN_RANGE}
      summary={
        <>
          {formatCount(summary.payments)} payments · {formatCount(summary.synced)} with an
          entitlement update · {formatCount(summary.overdue)} overdue
        </>
      }
      columns={(column) => [
        {
          header: "Payment",
          cell: (r) => <EventLink seq={r.event_seq}>{r.payment_id}</EventLink>,
        },
        column.customer("Customer", (r) => r.customer_id),
        column.invoice("Invoice", (r) => r.invoice_id),
        column.text("Entity", (r) => r.entity),
        column.money("Amount", (r) => [r.amount_minor, r.currency]),
        column.time("Received", (r) => r.received_at),
        {
          header: "Entitlement updated",
          className: "nowrap",
          cell: (r) =>
            r.first_update_at ? (
              <EventLink seq={r.update_event_seq}>
                <DateTime value={r.first_update_at} />
              </EventLink>
            ) : (
              "never"
            ),
        },
        column.duration("Sync time", (r) => r.sync_ms),
        column.yesNo("Overdue", (r) => r.overdue, { good: false }),
      ]}
      rowKey={(r) => r.payment_id}
    />
  );
}
