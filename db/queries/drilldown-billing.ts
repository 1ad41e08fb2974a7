import "server-only";
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import type { DrilldownFilter, DrilldownParams, Timestamp } from "./drilldown";
import { countRows, listPage, summarizeRows, type KeysetList } from "./keyset-list";
import { entityIs, inRange, paymentsInScope, postingSummaries, type KpiScope } from "./kpis";

/*
 * The drill-downs of the KPIs about money (./drilldown.ts says what every drill-down list
 * keeps to): invoices and their latency, their ERP postings, reconciliation results, and
 * payments on their way to an entitlement. Amounts in minor units come back as text.
 */

// ── Invoice latency: invoices issued in the range, slowest first ────────────────────────

export interface LatencyInvoiceRow {
  invoice_id: string;
  customer_id: string;
  entity: string;
  currency: string;
  amount_minor: string;
  period_end: Timestamp;
  issued_at: Timestamp;
  latency_ms: number;
  event_seq: string;
}

const latencyInvoices: KeysetList<DrilldownFilter> = {
  keyset: { sort: [sql`i.latency_ms`, "float8"], id: [sql`i.event_seq`, "bigint"], order: "desc" },
  columns: () => sql`i.invoice_id, i.customer_id, i.entity, i.currency,
    i.amount_minor::text as amount_minor, i.period_end, i.issued_at, i.latency_ms as latency_ms,
    i.event_seq::text as event_seq`,
  from: sql`invoices i`,
  where: ({ scope }) => sql`${inRange(sql`i.issued_at`, scope)} ${entityIs(sql`i.entity`, scope)}`,
};

export function listLatencyInvoices(db: Db, params: DrilldownParams) {
  return listPage<LatencyInvoiceRow, DrilldownFilter>(db, latencyInvoices, params);
}

export function countLatencyInvoices(db: Db, scope: KpiScope): Promise<number> {
  return countRows(db, latencyInvoices, { scope });
}

// ── ERP postings: postings whose first attempt is in the range ──────────────────────────

export type PostingView = "all" | "first-pass-failed" | "open-failures";

export interface PostingAttempt {
  attempt: number;
  status: "succeeded" | "failed";
  errorCode: string | null;
  attemptedAt: string;
  seq: string;
}

export interface PostingRow {
  posting_id: string;
  invoice_id: string;
  entity: string;
  first_attempted_at: Timestamp;
  attempts: number;
  first_pass: boolean;
  eventually: boolean;
  open_failure: boolean;
  latest_status: "succeeded" | "failed";
  latest_error_code: string | null;
  latest_error_message: string | null;
  /** Every attempt in order, for the links to their raw events. */
  attempt_list: PostingAttempt[];
}

const postings: KeysetList<DrilldownFilter<PostingView>> = {
  keyset: {
    sort: [sql`p.first_attempted_at`, "timestamptz"],
    id: [sql`p.posting_id`, "text"],
    order: "desc",
  },
  columns: () => sql`p.posting_id, p.invoice_id, p.entity, p.first_attempted_at,
    p.attempts::int as attempts, p.first_pass, p.eventually, p.open_failure,
    latest.status as latest_status, latest.error_code as latest_error_code,
    latest.error_message as latest_error_message,
    (select json_agg(json_build_object('attempt', a.attempt, 'status', a.status, 'errorCode', a.error_code,
              'attemptedAt', a.attempted_at, 'seq', a.event_seq::text) order by a.attempt)
       from erp_posting_attempts a where a.posting_id = p.posting_id)::text as attempt_json`,
  from: sql`${postingSummaries()} p`,
  joins: sql`join lateral (
      select a.status, a.error_code, a.error_message from erp_posting_attempts a
      where a.posting_id = p.posting_id order by a.attempt desc limit 1
    ) latest on true`,
  where: ({ scope, view }) => {
    const filter =
      view === "first-pass-failed"
        ? sql`and not p.first_pass`
        : view === "open-failures"
          ? sql`and p.open_failure`
          : sql``;
    return sql`${inRange(sql`p.first_attempted_at`, scope)} ${entityIs(sql`p.entity`, scope)} ${filter}`;
  },
};

export async function listPostings(db: Db, params: DrilldownParams<PostingView>) {
  const page = await listPage<
    Omit<PostingRow, "attempt_list"> & { attempt_json: string },
    DrilldownFilter<PostingView>
  >(db, postings, params);
  return {
    next: page.next,
    rows: page.rows.map(({ attempt_json, ...row }): PostingRow => ({
      ...row,
      attempt_list: JSON.parse(attempt_json) as PostingAttempt[],
    })),
  };
}

export interface PostingSummary {
  postings: number;
  firstPassFailed: number;
  openFailures: number;
}

export async function summarizePostings(db: Db, scope: KpiScope): Promise<PostingSummary> {
  const [row] = await summarizeRows<
    { postings: number; first_pass_failed: number; open_failures: number },
    DrilldownFilter<PostingView>
  >(
    db,
    postings,
    { scope, view: "all" },
    sql`count(*)::int as postings, count(*) filter (where not p.first_pass)::int as first_pass_failed,
      count(*) filter (where p.open_failure)::int as open_failures`,
  );
  return {
    postings: row!.postings,
    firstPassFailed: row!.first_pass_failed,
    openFailures: row!.open_failures,
  };
}

// ── Reconciliation: the latest result per runId + key whose periodEnd is in the range ───

export type ReconciliationView = "all" | "breaks";

export interface ReconciliationRow {
  run_id: string;
  key: string;
  kind: string;
  entity: string;
  period_start: Timestamp;
  period_end: Timestamp;
  currency: string;
  expected_minor: string;
  actual_minor: string;
  tolerance_minor: string;
  variance_minor: string;
  is_break: boolean;
  event_seq: string;
}

const absVariance = sql`abs(r.actual_minor - r.expected_minor)`;
const isBreak = sql`${absVariance} > r.tolerance_minor`;

const reconciliationResults: KeysetList<DrilldownFilter<ReconciliationView>> = {
  keyset: {
    sort: [sql`${absVariance}::numeric`, "numeric"],
    id: [sql`r.event_seq`, "bigint"],
    order: "desc",
  },
  columns: () => sql`r.run_id, r.key, r.kind, r.entity, r.period_start, r.period_end, r.currency,
    r.expected_minor::text as expected_minor, r.actual_minor::text as actual_minor,
    r.tolerance_minor::text as tolerance_minor, (r.actual_minor - r.expected_minor)::text as variance_minor,
    ${isBreak} as is_break, r.event_seq::text as event_seq`,
  from: sql`reconciliation_results r`,
  where: ({ scope, view }) => {
    const narrowed = view === "breaks" ? sql`and ${isBreak}` : sql``;
    return sql`${inRange(sql`r.period_end`, scope)} ${entityIs(sql`r.entity`, scope)}
      ${narrowed}`;
  },
};

export function listReconciliationResults(db: Db, params: DrilldownParams<ReconciliationView>) {
  return listPage<ReconciliationRow, DrilldownFilter<ReconciliationView>>(
    db,
    reconciliationResults,
    params,
  );
}

export interface ReconciliationSummary {
  results: number;
  breaks: number;
  /** Σ |actual − expected| per currency, in minor units as text. */
  absVarianceMinor: Record<string, string>;
}

export async function summarizeReconciliation(
  db: Db,
  scope: KpiScope,
): Promise<ReconciliationSummary> {
  const rows = await summarizeRows<
    { currency: string; results: number; breaks: number; abs_variance: string },
    DrilldownFilter<ReconciliationView>
  >(
    db,
    reconciliationResults,
    { scope, view: "all" },
    sql`r.currency, count(*)::int as results, count(*) filter (where ${isBreak})::int as breaks,
      sum(${absVariance})::text as abs_variance`,
    sql`group by r.currency order by r.currency`,
  );
  return {
    results: rows.reduce((n, r) => n + r.results, 0),
    breaks: rows.reduce((n, r) => n + r.breaks, 0),
    absVarianceMinor: Object.fromEntries(rows.map((r) => [r.currency, r.abs_variance])),
  };
}

// ── Payment-to-entitlement: payments received in the range, slowest (or unsynced) first ──

export type PaymentView = "all" | "overdue";

export interface SyncPaymentRow {
  payment_id: string;
  customer_id: string;
  invoice_id: string | null;
  entity: string | null;
  currency: string;
  amount_minor: string;
  received_at: Timestamp;
  first_update_at: Timestamp | null;
  sync_ms: number | null;
  overdue: boolean;
  event_seq: string;
  update_event_seq: string | null;
}

interface PaymentFilter extends DrilldownFilter<PaymentView> {
  /** A payment without an entitlement update this long after receipt is overdue. */
  overdueAfterMs: number;
  now: Date;
}

export interface PaymentParams extends DrilldownParams<PaymentView>, PaymentFilter {}

/** The KPI's rule: due for an update (an hour has passed) and none came within the hour. */
function overdue({ overdueAfterMs, now }: PaymentFilter): SQL {
  const limit = sql`make_interval(secs => ${overdueAfterMs / 1000})`;
  return sql`(p.received_at + ${limit} <= ${now.toISOString()}::timestamptz
    and (p.first_update_at is null or p.first_update_at > p.received_at + ${limit}))`;
}

const syncPayments: KeysetList<PaymentFilter> = {
  keyset: {
    // Payments never synced sort as infinitely slow: first, where they need attention.
    sort: [sql`coalesce(p.sync_ms, 'Infinity'::float8)`, "float8"],
    id: [sql`pay.event_seq`, "bigint"],
    order: "desc",
  },
  columns: (filter) => sql`p.payment_id, p.customer_id, p.invoice_id, p.entity, p.currency,
    p.amount_minor::text as amount_minor, p.received_at, p.first_update_at, p.sync_ms,
    ${overdue(filter)} as overdue, pay.event_seq::text as event_seq,
    (select u.event_seq::text from entitlement_updates u where u.payment_id = p.payment_id
       order by u.updated_at, u.event_seq limit 1) as update_event_seq`,
  from: sql`${paymentsInScope()} p`,
  joins: sql`join payments pay on pay.payment_id = p.payment_id`,
  where: (filter) => {
    const { scope, view } = filter;
    return sql`${inRange(sql`p.received_at`, scope)} ${entityIs(sql`p.entity`, scope)}
      ${view === "overdue" ? sql`and ${overdue(filter)}` : sql``}`;
  },
};

export function listSyncPayments(db: Db, params: PaymentParams) {
  return listPage<SyncPaymentRow, PaymentFilter>(db, syncPayments, params);
}

export interface PaymentSummary {
  payments: number;
  synced: number;
  overdue: number;
}

export async function summarizeSyncPayments(
  db: Db,
  scope: KpiScope,
  overdueAfterMs: number,
  now: Date,
): Promise<PaymentSummary> {
  const filter: PaymentFilter = { scope, view: "all", overdueAfterMs, now };
  const [row] = await summarizeRows<PaymentSummary, PaymentFilter>(
    db,
    syncPayments,
    filter,
    sql`count(*)::int as payments, count(p.first_update_at)::int as synced,
      count(*) filter (where ${overdue(filter)})::int as overdue`,
  );
  return row!;
}
