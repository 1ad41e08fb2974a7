import Link from "next/link";
import type { ReactNode } from "react";
import type { Db } from "@/db/client";
import type { KpiScope } from "@/db/queries/kpis";
import {
  countLaggedEvents,
  countLatencyInvoices,
  listCheckpoints,
  listLaggedEvents,
  listLatencyInvoices,
  listPostings,
  listReconciliationResults,
  listSyncPayments,
  summarizeCheckpoints,
  summarizePostings,
  summarizeReconciliation,
  summarizeSyncPayments,
  type DrilldownCursor,
  type DrilldownPage,
} from "@/db/queries/drilldown";
import {
  countInterventions,
  countOpenExceptions,
  listInterventions,
  listOpenExceptions,
} from "@/db/queries/drilldown-work";
import { InvalidInput } from "@/lib/errors";
import { formatCount, formatDuration, formatMoney, formatPercent } from "@/lib/format";
import {
  ENTITLEMENT_OVERDUE_AFTER_MS,
  MANUAL_INTERVENTION_ACTION_PREFIXES,
} from "@/lib/kpi/definitions";
import {
  DRILLDOWN_PAGE_SIZE,
  encodeDrilldownCursor,
  type DrilldownSlug,
} from "@/lib/kpi/drilldown";
import { DateTime } from "@/components/ui/date-time";
import { TableRegion } from "@/components/table/table-region";

/*
 * One server component per drill-down: it fetches a page of the records behind a KPI and
 * their totals (which restate the KPI's own count), and renders them with links to the raw
 * events. `href` builds a link to this drill-down with the current filters kept.
 */

export interface RecordsProps {
  db: Db;
  scope: KpiScope;
  view: string;
  cursor: DrilldownCursor | null;
  now: Date;
  href: (change: { view?: string; cursor?: string | null }) => string;
}

const eventHref = (seq: string) => `/events/${seq}`;

function EventLink({ seq, children }: { seq: string | null; children?: ReactNode }) {
  if (!seq) return <span className="muted">—</span>;
  return <Link href={eventHref(seq)}>{children ?? `#${seq}`}</Link>;
}

function YesNo({ value, good }: { value: boolean; good: boolean }) {
  const ok = value === good;
  return <span className={`badge ${ok ? "ok" : "bad"}`}>{value ? "yes" : "no"}</span>;
}

/** Runs a page query; an edited cursor that is no position in the list says so instead of failing the page. */
async function fetchPage<T>(
  load: () => Promise<DrilldownPage<T>>,
): Promise<DrilldownPage<T> | "bad-cursor"> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof InvalidInput) return "bad-cursor";
    throw error;
  }
}

function Records<T>({
  props,
  summary,
  page,
  columns,
  row,
  rowKey,
  empty,
}: {
  props: RecordsProps;
  summary: ReactNode;
  page: DrilldownPage<T> | "bad-cursor";
  columns: { label: string; numeric?: boolean }[];
  row: (r: T) => ReactNode;
  rowKey: (r: T) => string;
  empty: string;
}) {
  if (page === "bad-cursor") {
    return (
      <p className="alert error" role="alert">
        This page link is not valid any more.{" "}
        <Link href={props.href({ cursor: null })}>Go to the first page</Link>.
      </p>
    );
  }
  return (
    <>
      <p data-testid="records-summary">{summary}</p>
      {page.rows.length === 0 ? (
        <p className="muted" data-testid="records-empty">
          {props.cursor ? "No more records." : empty}
        </p>
      ) : (
        <TableRegion label="Records">
          <table className="data" data-testid="records-table">
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c.label} scope="col" className={c.numeric ? "num" : undefined}>
                    {c.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {page.rows.map((r) => (
                <tr key={rowKey(r)}>{row(r)}</tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      <nav className="pagination" aria-label="Pages">
        {props.cursor ? (
          <Link className="button" href={props.href({ cursor: null })}>
            ← First page
          </Link>
        ) : null}
        {page.next ? (
          <Link
            className="button"
            href={props.href({ cursor: encodeDrilldownCursor(page.next) })}
            rel="next"
          >
            Next {DRILLDOWN_PAGE_SIZE} →
          </Link>
        ) : null}
      </nav>
    </>
  );
}

const EMPTY = "No data in this range. Try a longer time range or another entity.";
const page = (props: RecordsProps) => ({
  scope: props.scope,
  cursor: props.cursor,
  limit: DRILLDOWN_PAGE_SIZE,
});

async function UsageCompletenessRecords(props: RecordsProps) {
  const view = props.view === "incomplete" ? "incomplete" : "all";
  const [summary, rows] = await Promise.all([
    summarizeCheckpoints(props.db, props.scope),
    fetchPage(() => listCheckpoints(props.db, { ...page(props), view })),
  ]);
  return (
    <Records
      props={props}
      page={rows}
      empty={view === "incomplete" ? "Every checkpoint in this range is complete." : EMPTY}
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

async function EventLagRecords(props: RecordsProps) {
  const [count, rows] = await Promise.all([
    countLaggedEvents(props.db, props.scope),
    fetchPage(() => listLaggedEvents(props.db, page(props))),
  ]);
  return (
    <Records
      props={props}
      page={rows}
      empty={EMPTY}
      summary={<>{formatCount(count)} events received in the range</>}
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

async function InvoiceLatencyRecords(props: RecordsProps) {
  const [count, rows] = await Promise.all([
    countLatencyInvoices(props.db, props.scope),
    fetchPage(() => listLatencyInvoices(props.db, page(props))),
  ]);
  return (
    <Records
      props={props}
      page={rows}
      empty={EMPTY}
      summary={<>{formatCount(count)} invoices issued in the range</>}
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
            <EventLink seq={r.event_seq}>{r.invoice_id}</EventLink>
          </td>
          <td>{r.customer_id}</td>
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

async function ErpPostingRecords(props: RecordsProps) {
  const view =
    props.view === "first-pass-failed" || props.view === "open-failures" ? props.view : "all";
  const [summary, rows] = await Promise.all([
    summarizePostings(props.db, props.scope),
    fetchPage(() => listPostings(props.db, { ...page(props), view })),
  ]);
  const firstPass = summary.postings - summary.firstPassFailed;
  return (
    <Records
      props={props}
      page={rows}
      empty={view === "all" ? EMPTY : "None in this range."}
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
          <td>{r.invoice_id}</td>
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

async function ReconciliationRecords(props: RecordsProps) {
  const view = props.view === "breaks" ? "breaks" : "all";
  const [summary, rows] = await Promise.all([
    summarizeReconciliation(props.db, props.scope),
    fetchPage(() => listReconciliationResults(props.db, { ...page(props), view })),
  ]);
  const variance = Object.entries(summary.absVarianceMinor)
    .map(([currency, minor]) => formatMoney(minor, currency))
    .join(", ");
  return (
    <Records
      props={props}
      page={rows}
      empty={view === "breaks" ? "No break in this range." : EMPTY}
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

async function EntitlementSyncRecords(props: RecordsProps) {
  const view = props.view === "overdue" ? "overdue" : "all";
  const [summary, rows] = await Promise.all([
    summarizeSyncPayments(props.db, props.scope, ENTITLEMENT_OVERDUE_AFTER_MS, props.now),
    fetchPage(() =>
      listSyncPayments(props.db, {
        ...page(props),
        view,
        overdueAfterMs: ENTITLEMENT_OVERDUE_AFTER_MS,
        now: props.now,
      }),
    ),
  ]);
  return (
    <Records
      props={props}
      page={rows}
      empty={view === "overdue" ? "No overdue entitlement update in this range." : EMPTY}
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
          <td>{r.customer_id}</td>
          <td>{r.invoice_id ?? "—"}</td>
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

async function ExceptionRecords(props: RecordsProps) {
  const [count, rows] = await Promise.all([
    countOpenExceptions(props.db, props.scope),
    fetchPage(() => listOpenExceptions(props.db, { ...page(props), now: props.now })),
  ]);
  return (
    <Records
      props={props}
      page={rows}
      empty="No exception is open."
      summary={<>{formatCount(count)} exceptions open now (not limited to the time range)</>}
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

async function InterventionRecords(props: RecordsProps) {
  const [count, rows] = await Promise.all([
    countInterventions(props.db, props.scope, MANUAL_INTERVENTION_ACTION_PREFIXES),
    fetchPage(() =>
      listInterventions(props.db, {
        ...page(props),
        actionPrefixes: MANUAL_INTERVENTION_ACTION_PREFIXES,
      }),
    ),
  ]);
  return (
    <Records
      props={props}
      page={rows}
      empty="No manual intervention in this range."
      summary={<>{formatCount(count)} human actions in the range</>}
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

export const RECORDS: Record<DrilldownSlug, (props: RecordsProps) => Promise<ReactNode>> = {
  "usage-completeness": UsageCompletenessRecords,
  "event-lag": EventLagRecords,
  "invoice-latency": InvoiceLatencyRecords,
  "erp-postings": ErpPostingRecords,
  reconciliation: ReconciliationRecords,
  "entitlement-sync": EntitlementSyncRecords,
  exceptions: ExceptionRecords,
  "manual-interventions": InterventionRecords,
};
