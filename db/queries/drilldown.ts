import "server-only";
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { InvalidInput } from "@/lib/errors";
import { queryRows } from "../rows";
import { millisBetween } from "../schema/durations";
import { OPEN_STATUS_SQL } from "../schema/exceptions";
import { entityIs, inRange, paymentsInScope, postingSummaries, type KpiScope } from "./kpis";

/*
 * The records behind each overview KPI, for its drill-down page. Every query selects exactly
 * the rows its KPI in db/queries/kpis.ts aggregates (same range column, same entity rule, the
 * same subqueries), so paging through a drill-down counts the KPI's number again. Pages are
 * keyset-paginated on (sort key, unique id), so rows arriving meanwhile neither repeat nor
 * vanish between pages. Numbers that may exceed 2^53 (money in minor units) come back as text.
 */

/** The position after the last row of a page: its sort key and id, both as PostgreSQL text. */
export interface DrilldownCursor {
  k: string;
  id: string;
}

export interface DrilldownPage<T> {
  rows: T[];
  next: DrilldownCursor | null;
}

export interface DrilldownParams<V extends string = string> {
  scope: KpiScope;
  view?: V;
  cursor?: DrilldownCursor | null;
  limit: number;
}

type Timestamp = Date | string;

interface Keyset {
  sort: SQL;
  sortType: "float8" | "timestamptz" | "numeric";
  id: SQL;
  idType: "bigint" | "text" | "uuid";
  order: "asc" | "desc";
}

/** What PostgreSQL prints for each key type; a cursor edited into anything else is refused. */
const KEY_TEXT: Record<Keyset["sortType"] | Keyset["idType"], RegExp> = {
  float8: /^(-?\d+(\.\d+)?(e[-+]?\d+)?|-?Infinity)$/,
  timestamptz: /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:\d{2})?|Z)$/,
  numeric: /^-?\d+(\.\d+)?$/,
  bigint: /^\d{1,19}$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  text: /^[\s\S]{1,200}$/,
};

/** `and (sort, id) < (cursor)` for the rows after the cursor in the keyset's order. */
function afterCursor(keyset: Keyset, cursor: DrilldownCursor | null | undefined): SQL {
  if (!cursor) return sql``;
  const valid =
    KEY_TEXT[keyset.sortType].test(cursor.k) &&
    KEY_TEXT[keyset.idType].test(cursor.id) &&
    (keyset.sortType !== "timestamptz" ||
      !Number.isNaN(Date.parse(cursor.k.replace(" ", "T").replace(/([+-]\d{2})$/, "$1:00"))));
  if (!valid) {
    throw new InvalidInput("cursor: is not a position in this list");
  }
  const k = sql`${cursor.k}::${sql.raw(keyset.sortType)}`;
  const id = sql`${cursor.id}::${sql.raw(keyset.idType)}`;
  return keyset.order === "desc"
    ? sql`and (${keyset.sort}, ${keyset.id}) < (${k}, ${id})`
    : sql`and (${keyset.sort}, ${keyset.id}) > (${k}, ${id})`;
}

function orderBy(keyset: Keyset): SQL {
  const dir = sql.raw(keyset.order);
  return sql`order by ${keyset.sort} ${dir}, ${keyset.id} ${dir}`;
}

const keyColumns = (keyset: Keyset) =>
  sql`${keyset.sort}::text as sort_key, ${keyset.id}::text as row_id`;

/** Runs a query that selected `limit + 1` rows and splits off the cursor of the next page. */
async function keysetPage<T>(db: Db, query: SQL, limit: number): Promise<DrilldownPage<T>> {
  const rows = await queryRows<T & { sort_key: string; row_id: string }>(db, query);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    rows: page.map(({ sort_key: _k, row_id: _id, ...row }) => row as T),
    next: rows.length > limit && last ? { k: last.sort_key, id: last.row_id } : null,
  };
}

// ── Usage completeness: the current checkpoints whose window ends in the range ───────────

export type CheckpointView = "all" | "incomplete";

export interface CheckpointRow {
  source: string;
  entity: string;
  meter: string;
  window_start: Timestamp;
  window_end: Timestamp;
  expected: number;
  received: number;
  missing: number;
  event_seq: string;
}

const checkpointKeyset: Keyset = {
  sort: sql`c.window_end`,
  sortType: "timestamptz",
  id: sql`c.event_seq`,
  idType: "bigint",
  order: "desc",
};

function checkpointScope(scope: KpiScope, view: CheckpointView | undefined): SQL {
  return sql`${inRange(sql`c.window_end`, scope)} ${entityIs(sql`c.entity`, scope)}
    ${view === "incomplete" ? sql`and c.received_count < c.expected_count` : sql``}`;
}

export async function listCheckpoints(db: Db, params: DrilldownParams<CheckpointView>) {
  return keysetPage<CheckpointRow>(
    db,
    sql`select c.source, c.entity, c.meter, c.window_start, c.window_end,
          c.expected_count::float8 as expected, c.received_count::float8 as received,
          greatest(c.expected_count - c.received_count, 0)::float8 as missing,
          c.event_seq::text as event_seq, ${keyColumns(checkpointKeyset)}
        from usage_checkpoints c
        where ${checkpointScope(params.scope, params.view)} ${afterCursor(checkpointKeyset, params.cursor)}
        ${orderBy(checkpointKeyset)} limit ${params.limit + 1}`,
    params.limit,
  );
}

/** The sums are decimal digits: exact past 2^53, where a double would drop the last digit. */
export interface CheckpointSummary {
  checkpoints: number;
  incomplete: number;
  expected: string;
  received: string;
  missing: string;
}

export async function summarizeCheckpoints(db: Db, scope: KpiScope): Promise<CheckpointSummary> {
  const [row] = await queryRows<CheckpointSummary>(
    db,
    sql`select count(*)::int as checkpoints,
          count(*) filter (where c.received_count < c.expected_count)::int as incomplete,
          coalesce(sum(c.expected_count), 0)::text as expected,
          coalesce(sum(c.received_count), 0)::text as received,
          coalesce(sum(greatest(c.expected_count - c.received_count, 0)), 0)::text as missing
        from usage_checkpoints c where ${checkpointScope(scope, "all")}`,
  );
  return row!;
}

// ── Event lag: events received in the range, slowest first ─────────────────────────────

export interface LaggedEventRow {
  seq: string;
  source: string;
  event_id: string;
  type: string;
  entity: string | null;
  time: Timestamp;
  received_at: Timestamp;
  lag_ms: number;
}

const eventEntity = sql`e.entity`;
const eventKeyset: Keyset = {
  sort: sql`e.lag_ms`,
  sortType: "float8",
  id: sql`e.seq`,
  idType: "bigint",
  order: "desc",
};

export async function listLaggedEvents(db: Db, params: DrilldownParams) {
  return keysetPage<LaggedEventRow>(
    db,
    sql`select e.seq::text as seq, e.source, e.event_id, e.type, ${eventEntity} as entity, e.time, e.received_at,
          ${eventKeyset.sort} as lag_ms, ${keyColumns(eventKeyset)}
        from events e
        where ${inRange(sql`e.received_at`, params.scope)} ${entityIs(eventEntity, params.scope)}
          ${afterCursor(eventKeyset, params.cursor)}
        ${orderBy(eventKeyset)} limit ${params.limit + 1}`,
    params.limit,
  );
}

export async function countLaggedEvents(db: Db, scope: KpiScope): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from events e
        where ${inRange(sql`e.received_at`, scope)} ${entityIs(eventEntity, scope)}`,
  );
  return row?.n ?? 0;
}

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

const invoiceKeyset: Keyset = {
  sort: sql`i.latency_ms`,
  sortType: "float8",
  id: sql`i.event_seq`,
  idType: "bigint",
  order: "desc",
};

export async function listLatencyInvoices(db: Db, params: DrilldownParams) {
  return keysetPage<LatencyInvoiceRow>(
    db,
    sql`select i.invoice_id, i.customer_id, i.entity, i.currency, i.amount_minor::text as amount_minor,
          i.period_end, i.issued_at, ${invoiceKeyset.sort} as latency_ms, i.event_seq::text as event_seq,
          ${keyColumns(invoiceKeyset)}
        from invoices i
        where ${inRange(sql`i.issued_at`, params.scope)} ${entityIs(sql`i.entity`, params.scope)}
          ${afterCursor(invoiceKeyset, params.cursor)}
        ${orderBy(invoiceKeyset)} limit ${params.limit + 1}`,
    params.limit,
  );
}

export async function countLatencyInvoices(db: Db, scope: KpiScope): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from invoices i
        where ${inRange(sql`i.issued_at`, scope)} ${entityIs(sql`i.entity`, scope)}`,
  );
  return row?.n ?? 0;
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

const postingKeyset: Keyset = {
  sort: sql`p.first_attempted_at`,
  sortType: "timestamptz",
  id: sql`p.posting_id`,
  idType: "text",
  order: "desc",
};

function postingScope(scope: KpiScope, view: PostingView | undefined): SQL {
  const filter =
    view === "first-pass-failed"
      ? sql`and not p.first_pass`
      : view === "open-failures"
        ? sql`and p.open_failure`
        : sql``;
  return sql`${inRange(sql`p.first_attempted_at`, scope)} ${entityIs(sql`p.entity`, scope)} ${filter}`;
}

export async function listPostings(db: Db, params: DrilldownParams<PostingView>) {
  const page = await keysetPage<Omit<PostingRow, "attempt_list"> & { attempt_json: string }>(
    db,
    sql`select p.posting_id, p.invoice_id, p.entity, p.first_attempted_at, p.attempts::int as attempts,
          p.first_pass, p.eventually, p.open_failure,
          latest.status as latest_status, latest.error_code as latest_error_code,
          latest.error_message as latest_error_message,
          (select json_agg(json_build_object('attempt', a.attempt, 'status', a.status, 'errorCode', a.error_code,
                    'attemptedAt', a.attempted_at, 'seq', a.event_seq::text) order by a.attempt)
             from erp_posting_attempts a where a.posting_id = p.posting_id)::text as attempt_json,
          ${keyColumns(postingKeyset)}
        from ${postingSummaries()} p
        join lateral (
          select a.status, a.error_code, a.error_message from erp_posting_attempts a
          where a.posting_id = p.posting_id order by a.attempt desc limit 1
        ) latest on true
        where ${postingScope(params.scope, params.view)} ${afterCursor(postingKeyset, params.cursor)}
        ${orderBy(postingKeyset)} limit ${params.limit + 1}`,
    params.limit,
  );
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
  const [row] = await queryRows<{
    postings: number;
    first_pass_failed: number;
    open_failures: number;
  }>(
    db,
    sql`select count(*)::int as postings, count(*) filter (where not p.first_pass)::int as first_pass_failed,
          count(*) filter (where p.open_failure)::int as open_failures
        from ${postingSummaries()} p where ${postingScope(scope, "all")}`,
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
const reconciliationKeyset: Keyset = {
  sort: sql`${absVariance}::numeric`,
  sortType: "numeric",
  id: sql`r.event_seq`,
  idType: "bigint",
  order: "desc",
};

function reconciliationScope(scope: KpiScope, view: ReconciliationView | undefined): SQL {
  return sql`${inRange(sql`r.period_end`, scope)} ${entityIs(sql`r.entity`, scope)}
    ${view === "breaks" ? sql`and ${isBreak}` : sql``}`;
}

export async function listReconciliationResults(
  db: Db,
  params: DrilldownParams<ReconciliationView>,
) {
  return keysetPage<ReconciliationRow>(
    db,
    sql`select r.run_id, r.key, r.kind, r.entity, r.period_start, r.period_end, r.currency,
          r.expected_minor::text as expected_minor, r.actual_minor::text as actual_minor,
          r.tolerance_minor::text as tolerance_minor, (r.actual_minor - r.expected_minor)::text as variance_minor,
          ${isBreak} as is_break, r.event_seq::text as event_seq, ${keyColumns(reconciliationKeyset)}
        from reconciliation_results r
        where ${reconciliationScope(params.scope, params.view)} ${afterCursor(reconciliationKeyset, params.cursor)}
        ${orderBy(reconciliationKeyset)} limit ${params.limit + 1}`,
    params.limit,
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
  const rows = await queryRows<{
    currency: string;
    results: number;
    breaks: number;
    abs_variance: string;
  }>(
    db,
    sql`select r.currency, count(*)::int as results, count(*) filter (where ${isBreak})::int as breaks,
          sum(${absVariance})::text as abs_variance
        from reconciliation_results r where ${reconciliationScope(scope, "all")}
        group by r.currency order by r.currency`,
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

export interface PaymentParams extends DrilldownParams<PaymentView> {
  /** A payment without an entitlement update this long after receipt is overdue. */
  overdueAfterMs: number;
  now: Date;
}

const paymentKeyset: Keyset = {
  // Payments never synced sort as infinitely slow: first, where they need attention.
  sort: sql`coalesce(p.sync_ms, 'Infinity'::float8)`,
  sortType: "float8",
  id: sql`pay.event_seq`,
  idType: "bigint",
  order: "desc",
};

/** The KPI's rule: due for an update (an hour has passed) and none came within the hour. */
function overdue(overdueAfterMs: number, now: Date): SQL {
  const limit = sql`make_interval(secs => ${overdueAfterMs / 1000})`;
  return sql`(p.received_at + ${limit} <= ${now.toISOString()}::timestamptz
    and (p.first_update_at is null or p.first_update_at > p.received_at + ${limit}))`;
}

function paymentScope(
  scope: KpiScope,
  view: PaymentView | undefined,
  overdueAfterMs: number,
  now: Date,
): SQL {
  return sql`${inRange(sql`p.received_at`, scope)} ${entityIs(sql`p.entity`, scope)}
    ${view === "overdue" ? sql`and ${overdue(overdueAfterMs, now)}` : sql``}`;
}

export async function listSyncPayments(db: Db, params: PaymentParams) {
  return keysetPage<SyncPaymentRow>(
    db,
    sql`select p.payment_id, p.customer_id, p.invoice_id, p.entity, p.currency, p.amount_minor::text as amount_minor,
          p.received_at, p.first_update_at, p.sync_ms, ${overdue(params.overdueAfterMs, params.now)} as overdue,
          pay.event_seq::text as event_seq,
          (select u.event_seq::text from entitlement_updates u where u.payment_id = p.payment_id
             order by u.updated_at, u.event_seq limit 1) as update_event_seq,
          ${keyColumns(paymentKeyset)}
        from ${paymentsInScope()} p
        join payments pay on pay.payment_id = p.payment_id
        where ${paymentScope(params.scope, params.view, params.overdueAfterMs, params.now)}
          ${afterCursor(paymentKeyset, params.cursor)}
        ${orderBy(paymentKeyset)} limit ${params.limit + 1}`,
    params.limit,
  );
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
  const [row] = await queryRows<PaymentSummary>(
    db,
    sql`select count(*)::int as payments, count(p.first_update_at)::int as synced,
          count(*) filter (where ${overdue(overdueAfterMs, now)})::int as overdue
        from ${paymentsInScope()} p where ${paymentScope(scope, "all", overdueAfterMs, now)}`,
  );
  return row!;
}

// ── Open exceptions (now, not limited to the range), oldest first ───────────────────────

export interface OpenExceptionRow {
  id: string;
  type: string;
  title: string;
  entity: string | null;
  severity: string;
  status: string;
  opened_at: Timestamp;
  age_ms: number;
  amount_minor: string | null;
  currency: string | null;
}

const exceptionKeyset: Keyset = {
  sort: sql`x.opened_at`,
  sortType: "timestamptz",
  id: sql`x.id`,
  idType: "uuid",
  order: "asc",
};
const isOpenException = sql`x.status in ${OPEN_STATUS_SQL}`;

export async function listOpenExceptions(db: Db, params: DrilldownParams & { now: Date }) {
  return keysetPage<OpenExceptionRow>(
    db,
    sql`select x.id::text as id, x.type, x.title, x.entity, x.severity, x.status, x.opened_at,
          ${millisBetween(sql`${params.now.toISOString()}::timestamptz`, sql`x.opened_at`)} as age_ms,
          x.amount_minor::text as amount_minor, x.currency, ${keyColumns(exceptionKeyset)}
        from exceptions x
        where ${isOpenException} ${entityIs(sql`x.entity`, params.scope)} ${afterCursor(exceptionKeyset, params.cursor)}
        ${orderBy(exceptionKeyset)} limit ${params.limit + 1}`,
    params.limit,
  );
}

export async function countOpenExceptions(db: Db, scope: KpiScope): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from exceptions x where ${isOpenException} ${entityIs(sql`x.entity`, scope)}`,
  );
  return row?.n ?? 0;
}

// ── Manual interventions: human workflow actions in the audit log ───────────────────────

export interface InterventionRow {
  id: string;
  at: Timestamp;
  actor_label: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
}

const auditKeyset: Keyset = {
  sort: sql`a.at`,
  sortType: "timestamptz",
  id: sql`a.id`,
  idType: "bigint",
  order: "desc",
};

/** The KPI's rule (db/queries/kpis.ts manualInterventions): an action on an exception takes its entity. */
function interventionScope(scope: KpiScope, actionPrefixes: readonly string[]): SQL {
  // Unescaped like the KPI's own query, so both match exactly the same actions.
  const patterns = sql.join(
    actionPrefixes.map((p) => sql`${`${p}%`}`),
    sql`, `,
  );
  return sql`a.actor_type = 'user' and ${inRange(sql`a.at`, scope)} and a.action like any (array[${patterns}]::text[])
    ${
      scope.entity
        ? sql`and (a.after->>'entity' = ${scope.entity} or a.before->>'entity' = ${scope.entity}
            or exists (select 1 from exceptions x where a.target_type = 'exception' and x.id::text = a.target_id
              and x.entity = ${scope.entity}))`
        : sql``
    }`;
}

export async function listInterventions(
  db: Db,
  params: DrilldownParams & { actionPrefixes: readonly string[] },
) {
  return keysetPage<InterventionRow>(
    db,
    sql`select a.id::text as id, a.at, a.actor_label, a.action, a.target_type, a.target_id, ${keyColumns(auditKeyset)}
        from audit_log a
        where ${interventionScope(params.scope, params.actionPrefixes)} ${afterCursor(auditKeyset, params.cursor)}
        ${orderBy(auditKeyset)} limit ${params.limit + 1}`,
    params.limit,
  );
}

export async function countInterventions(
  db: Db,
  scope: KpiScope,
  actionPrefixes: readonly string[],
): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from audit_log a where ${interventionScope(scope, actionPrefixes)}`,
  );
  return row?.n ?? 0;
}

// ── One raw event, for the links from every drill-down row ──────────────────────────────

export interface RawEventRow {
  seq: string;
  source: string;
  event_id: string;
  type: string;
  time: Timestamp;
  received_at: Timestamp;
  subject: string | null;
  data: string;
  attributes: string;
  api_key_id: string | null;
}

/** Whether a stored event has this sequence number. */
export async function eventExists(db: Db, seq: number): Promise<boolean> {
  const rows = await queryRows<{ one: number }>(
    db,
    sql`select 1 as one from events where seq = ${seq}`,
  );
  return rows.length > 0;
}

/** jsonb columns come back as text, so both drivers hand over the same thing. */
export async function findRawEvent(db: Db, seq: number): Promise<RawEventRow | null> {
  const [row] = await queryRows<RawEventRow>(
    db,
    sql`select e.seq::text as seq, e.source, e.event_id, e.type, e.time, e.received_at, e.subject,
          e.data::text as data, e.attributes::text as attributes, e.api_key_id::text as api_key_id
        from events e where e.seq = ${seq}`,
  );
  return row ?? null;
}
