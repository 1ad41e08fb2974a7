import "server-only";
import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";
import { accountingPeriods, materialityThresholds, users } from "../schema";

/*
 * The SQL behind close readiness (lib/close/readiness.ts decides what it means). Every query is
 * for one entity and one accounting period [start, end).
 *
 * Two kinds of time are compared with the period differently:
 * - an instant (an invoice's issuedAt, an amendment's effectiveFrom) is in the period when
 *   start <= t < end;
 * - the end of a span (a usage window's windowEnd, a reconciliation result's periodEnd) is in the
 *   period when start < t <= end: October's last hourly window ends at 1 November 00:00 and
 *   October's reconciliation has periodEnd 1 November 00:00, and both belong to October's close.
 *
 * Money stays in integer minor units and is only ever compared within one currency.
 */

export interface CloseScope {
  entity: string;
  start: Date;
  end: Date;
}

type Num = string | number | null;
const n = (v: Num): number => (v === null ? 0 : Number(v));
/** A sum of counts, exact past 2^53: the database's integer digits as a bigint. */
const big = (v: Num): bigint => (v === null ? 0n : BigInt(String(v)));
const iso = (v: Date | string): string => (v instanceof Date ? v : new Date(v)).toISOString();
const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;

const instantIn = (column: SQL, s: CloseScope) =>
  sql`${column} >= ${ts(s.start)} and ${column} < ${ts(s.end)}`;
const spanEndIn = (column: SQL, s: CloseScope) =>
  sql`${column} > ${ts(s.start)} and ${column} <= ${ts(s.end)}`;

/** Statuses in which an exception is finished with; anything else still needs someone. */
const CLOSED_EXCEPTION = sql`('resolved', 'dismissed')`;

// ---------------------------------------------------------------------------------------------
// (a) Usage completeness

/** Sums of counts stay bigints: a month of high-volume meters can pass 2^53 events. */
export interface UsageTotals {
  checkpoints: number;
  expected: bigint;
  received: bigint;
}

/** Current checkpoints only: the table keeps just the winner of each window. */
export async function usageTotals(db: Db, s: CloseScope): Promise<UsageTotals> {
  const [row] = await queryRows<{ checkpoints: Num; expected: Num; received: Num }>(
    db,
    sql`select count(*) as checkpoints, sum(c.expected_count) as expected, sum(c.received_count) as received
        from usage_checkpoints c
        where c.entity = ${s.entity} and ${spanEndIn(sql`c.window_end`, s)}`,
  );
  return {
    checkpoints: n(row?.checkpoints ?? 0),
    expected: big(row?.expected ?? 0),
    received: big(row?.received ?? 0),
  };
}

export interface UsageShortfall {
  source: string;
  meter: string;
  expected: bigint;
  received: bigint;
  missing: bigint;
}

export interface UsageWindowShortfall extends UsageShortfall {
  windowStart: string;
  windowEnd: string;
}

/**
 * Source × meter pairs whose own completeness is below the target, worst (most missing) first.
 * The target is passed in parts per million so the comparison stays in integers.
 */
export async function usageShortfallsBySourceMeter(
  db: Db,
  s: CloseScope,
  targetPpm: number,
  limit: number,
): Promise<{ rows: UsageShortfall[]; total: number }> {
  const rows = await queryRows<{
    source: string;
    meter: string;
    expected: Num;
    received: Num;
    missing: Num;
    total: Num;
  }>(
    db,
    sql`select c.source, c.meter, sum(c.expected_count) as expected, sum(c.received_count) as received,
          sum(greatest(c.expected_count - c.received_count, 0)) as missing, count(*) over () as total
        from usage_checkpoints c
        where c.entity = ${s.entity} and ${spanEndIn(sql`c.window_end`, s)}
        group by c.source, c.meter
        having sum(c.received_count)::numeric * 1000000 < sum(c.expected_count)::numeric * ${targetPpm}
        order by missing desc, c.source, c.meter
        limit ${limit}`,
  );
  return {
    rows: rows.map((r) => ({
      source: r.source,
      meter: r.meter,
      expected: big(r.expected),
      received: big(r.received),
      missing: big(r.missing),
    })),
    total: n(rows[0]?.total ?? 0),
  };
}

/** The individual windows with the most events missing. */
export async function worstUsageWindows(
  db: Db,
  s: CloseScope,
  limit: number,
): Promise<UsageWindowShortfall[]> {
  const rows = await queryRows<{
    source: string;
    meter: string;
    window_start: Date | string;
    window_end: Date | string;
    expected: Num;
    received: Num;
    missing: Num;
  }>(
    db,
    sql`select c.source, c.meter, c.window_start, c.window_end, c.expected_count as expected,
          c.received_count as received, c.expected_count - c.received_count as missing
        from usage_checkpoints c
        where c.entity = ${s.entity} and ${spanEndIn(sql`c.window_end`, s)}
          and c.received_count < c.expected_count
        order by missing desc, c.window_end, c.source, c.meter
        limit ${limit}`,
  );
  return rows.map((r) => ({
    source: r.source,
    meter: r.meter,
    windowStart: iso(r.window_start),
    windowEnd: iso(r.window_end),
    expected: big(r.expected),
    received: big(r.received),
    missing: big(r.missing),
  }));
}

// ---------------------------------------------------------------------------------------------
// (b) Invoices posted to the ERP

export interface UnpostedInvoice {
  invoiceId: string;
  customerId: string;
  currency: string;
  amountMinor: number;
  issuedAt: string;
  /** The latest attempt, if there was any. */
  lastAttempt: {
    postingId: string;
    attempt: number;
    attemptedAt: string;
    errorCode: string | null;
    errorMessage: string | null;
  } | null;
  /** The invoice's erp_posting_failed exception, an open one first. */
  exceptionId: string | null;
}

export async function invoicesIssuedCount(db: Db, s: CloseScope): Promise<number> {
  const [row] = await queryRows<{ count: Num }>(
    db,
    sql`select count(*) as count from invoices i where i.entity = ${s.entity} and ${instantIn(sql`i.issued_at`, s)}`,
  );
  return n(row?.count ?? 0);
}

/** Invoices issued in the period with no succeeded posting attempt, each with its latest attempt. */
export async function unpostedInvoices(
  db: Db,
  s: CloseScope,
  limit: number,
): Promise<{ rows: UnpostedInvoice[]; total: number }> {
  const rows = await queryRows<{
    invoice_id: string;
    customer_id: string;
    currency: string;
    amount_minor: Num;
    issued_at: Date | string;
    posting_id: string | null;
    attempt: Num;
    attempted_at: Date | string | null;
    error_code: string | null;
    error_message: string | null;
    exception_id: string | null;
    total: Num;
  }>(
    db,
    sql`select i.invoice_id, i.customer_id, i.currency, i.amount_minor, i.issued_at,
          la.posting_id, la.attempt, la.attempted_at, la.error_code, la.error_message,
          x.id as exception_id, count(*) over () as total
        from invoices i
        left join lateral (
          select a.posting_id, a.attempt, a.attempted_at, a.error_code, a.error_message
          from erp_posting_attempts a where a.invoice_id = i.invoice_id
          order by a.attempted_at desc, a.attempt desc limit 1
        ) la on true
        left join lateral (
          select x.id from exceptions x
          where x.type = 'erp_posting_failed' and x.invoice_id = i.invoice_id
          order by (x.status not in ${CLOSED_EXCEPTION}) desc, x.opened_at desc limit 1
        ) x on true
        where i.entity = ${s.entity} and ${instantIn(sql`i.issued_at`, s)}
          and not exists (
            select 1 from erp_posting_attempts ok where ok.invoice_id = i.invoice_id and ok.status = 'succeeded'
          )
        order by i.issued_at, i.invoice_id
        limit ${limit}`,
  );
  return {
    rows: rows.map((r) => ({
      invoiceId: r.invoice_id,
      customerId: r.customer_id,
      currency: r.currency,
      amountMinor: n(r.amount_minor),
      issuedAt: iso(r.issued_at),
      lastAttempt:
        r.posting_id && r.attempted_at
          ? {
              postingId: r.posting_id,
              attempt: n(r.attempt),
              attemptedAt: iso(r.attempted_at),
              errorCode: r.error_code,
              errorMessage: r.error_message,
            }
          : null,
      exceptionId: r.exception_id,
    })),
    total: n(rows[0]?.total ?? 0),
  };
}

// ---------------------------------------------------------------------------------------------
// (c) Reconciliation breaks above materiality

export interface ReconciliationBreak {
  runId: string;
  key: string;
  kind: string;
  currency: string;
  expectedMinor: number;
  actualMinor: number;
  toleranceMinor: number;
  varianceMinor: number;
  materialityMinor: number;
  exceptionId: string | null;
}

export interface ReconciliationCounts {
  results: number;
  /** Outside tolerance, whatever the amount. */
  breaks: number;
  /** Outside tolerance and above the entity's materiality, and not cleared by a correction. */
  materialBreaks: number;
  /** Material breaks a booked correction cleared: the target system confirmed it. */
  corrected: number;
}

/** A break is |actual − expected| > tolerance; it blocks the close only above materiality too. */
const breakSql = sql`abs(r.actual_minor - r.expected_minor) > r.tolerance_minor`;
const materialSql = sql`abs(r.actual_minor - r.expected_minor) > coalesce(m.threshold_minor, 0)`;
/**
 * A correction of the break's exception that its target system confirmed booking (the latest
 * `correction.executed` report says executed) clears the break, as a later matching result does.
 */
const correctedSql = sql`exists (
  select 1 from exceptions x join corrections c on c.exception_id = x.id
  where x.type = 'reconciliation_break' and x.problem_key = r.run_id || '/' || r.key
    and (select ce.status from correction_executions ce where ce.correction_id = c.id
         order by ce.event_time desc, ce.event_id desc limit 1) = 'executed')`;
const resultsInScope = (s: CloseScope) => sql`
  from reconciliation_results r
  left join materiality_thresholds m on m.entity = r.entity and m.currency = r.currency
  where r.entity = ${s.entity} and ${spanEndIn(sql`r.period_end`, s)}`;

export async function reconciliationCounts(db: Db, s: CloseScope): Promise<ReconciliationCounts> {
  const [row] = await queryRows<{ results: Num; breaks: Num; material: Num; corrected: Num }>(
    db,
    sql`select count(*) as results, count(*) filter (where ${breakSql}) as breaks,
          count(*) filter (where ${breakSql} and ${materialSql} and not ${correctedSql}) as material,
          count(*) filter (where ${breakSql} and ${materialSql} and ${correctedSql}) as corrected
        ${resultsInScope(s)}`,
  );
  return {
    results: n(row?.results ?? 0),
    breaks: n(row?.breaks ?? 0),
    materialBreaks: n(row?.material ?? 0),
    corrected: n(row?.corrected ?? 0),
  };
}

/**
 * The table keeps only the latest result per runId + key, so every row here is current. The
 * exception of a break is the one keyed "runId/key" (db/queries/exception-sync.ts).
 */
export async function materialReconciliationBreaks(
  db: Db,
  s: CloseScope,
  limit: number,
): Promise<ReconciliationBreak[]> {
  const rows = await queryRows<{
    run_id: string;
    key: string;
    kind: string;
    currency: string;
    expected_minor: Num;
    actual_minor: Num;
    tolerance_minor: Num;
    variance: Num;
    materiality: Num;
    exception_id: string | null;
  }>(
    db,
    sql`select r.run_id, r.key, r.kind, r.currency, r.expected_minor, r.actual_minor, r.tolerance_minor,
          abs(r.actual_minor - r.expected_minor) as variance, coalesce(m.threshold_minor, 0) as materiality,
          (select x.id from exceptions x
            where x.type = 'reconciliation_break' and x.problem_key = r.run_id || '/' || r.key) as exception_id
        ${resultsInScope(s)} and ${breakSql} and ${materialSql} and not ${correctedSql}
        order by variance desc, r.run_id, r.key
        limit ${limit}`,
  );
  return rows.map((r) => ({
    runId: r.run_id,
    key: r.key,
    kind: r.kind,
    currency: r.currency,
    expectedMinor: n(r.expected_minor),
    actualMinor: n(r.actual_minor),
    toleranceMinor: n(r.tolerance_minor),
    varianceMinor: n(r.variance),
    materialityMinor: n(r.materiality),
    exceptionId: r.exception_id,
  }));
}

// ---------------------------------------------------------------------------------------------
// (d) Open disputes above materiality

export interface OpenDispute {
  invoiceId: string;
  customerId: string;
  currency: string;
  invoiceAmountMinor: number;
  disputedMinor: number;
  materialityMinor: number;
  reason: string | null;
  disputedAt: string | null;
  exceptionId: string | null;
  /** Where the open state comes from: an open invoice_disputed exception, or telemetry alone. */
  basis: "exception" | "telemetry";
}

/**
 * Disputes on the entity's invoices that belong to the period: issued in it (the period's
 * receivables) or billing it (periodEnd in the period: the period's revenue). A disputed invoice
 * counts as open when an invoice_disputed exception for it is still open; when the exception
 * workflow has not seen it yet, the dispute from telemetry counts as open, since telemetry has no
 * event that settles a dispute. A dispute without an amount disputes the whole invoice.
 */
export async function openDisputes(
  db: Db,
  s: CloseScope,
): Promise<{ open: OpenDispute[]; settled: number }> {
  const rows = await queryRows<{
    invoice_id: string;
    customer_id: string;
    currency: string;
    invoice_amount: Num;
    disputed: Num;
    materiality: Num;
    reason: string | null;
    disputed_at: Date | string | null;
    exception_id: string | null;
    exceptions: Num;
    open_exceptions: Num;
  }>(
    db,
    sql`with scoped as (
          select i.invoice_id, i.customer_id, i.currency, i.amount_minor
          from invoices i
          where i.entity = ${s.entity}
            and ((${instantIn(sql`i.issued_at`, s)}) or (${spanEndIn(sql`i.period_end`, s)}))
        ),
        telemetry as (
          select d.invoice_id,
            case when bool_or(d.amount_minor is null) then null else max(d.amount_minor) end as amount,
            bool_or(d.amount_minor is null) as whole_invoice,
            max(d.event_time) as disputed_at,
            (array_agg(d.reason order by d.event_time desc, d.event_id desc))[1] as reason
          from invoice_disputes d join scoped sc on sc.invoice_id = d.invoice_id
          group by d.invoice_id
        ),
        workflow as (
          select x.invoice_id, count(*) as exceptions,
            count(*) filter (where x.status not in ${CLOSED_EXCEPTION}) as open_exceptions,
            max(x.amount_minor) filter (where x.status not in ${CLOSED_EXCEPTION}) as open_amount,
            (array_agg(x.id order by (x.status not in ${CLOSED_EXCEPTION}) desc, x.opened_at desc))[1] as exception_id
          from exceptions x join scoped sc on sc.invoice_id = x.invoice_id
          where x.type = 'invoice_disputed'
          group by x.invoice_id
        )
        select sc.invoice_id, sc.customer_id, sc.currency, sc.amount_minor as invoice_amount,
          least(coalesce(w.open_amount, case when t.whole_invoice then sc.amount_minor else t.amount end, sc.amount_minor),
                sc.amount_minor) as disputed,
          coalesce(m.threshold_minor, 0) as materiality, t.reason, t.disputed_at,
          w.exception_id, coalesce(w.exceptions, 0) as exceptions, coalesce(w.open_exceptions, 0) as open_exceptions
        from scoped sc
        left join telemetry t on t.invoice_id = sc.invoice_id
        left join workflow w on w.invoice_id = sc.invoice_id
        left join materiality_thresholds m on m.entity = ${s.entity} and m.currency = sc.currency
        where t.invoice_id is not null or w.invoice_id is not null
        order by sc.invoice_id`,
  );
  const open: OpenDispute[] = [];
  let settled = 0;
  for (const r of rows) {
    const tracked = n(r.exceptions) > 0;
    if (tracked && n(r.open_exceptions) === 0) {
      settled++;
      continue;
    }
    open.push({
      invoiceId: r.invoice_id,
      customerId: r.customer_id,
      currency: r.currency,
      invoiceAmountMinor: n(r.invoice_amount),
      disputedMinor: n(r.disputed),
      materialityMinor: n(r.materiality),
      reason: r.reason,
      disputedAt: r.disputed_at ? iso(r.disputed_at) : null,
      exceptionId: r.exception_id,
      basis: tracked ? "exception" : "telemetry",
    });
  }
  return { open, settled };
}

// ---------------------------------------------------------------------------------------------
// (e) Pending approvals

export interface PendingApproval {
  source: "exception" | "correction";
  id: string;
  /** The exception it belongs to (a correction answers one), for the link. */
  exceptionId: string;
  title: string;
  kind: string;
  amountMinor: number | null;
  currency: string | null;
  since: string;
}

/**
 * What of the entity waits for an approver, whatever period it arose in: correction proposals
 * pending approval (their entity, or their exception's), and exceptions awaiting approval that
 * no pending correction already stands for, so one decision is not counted twice.
 */
export async function pendingApprovals(db: Db, entity: string): Promise<PendingApproval[]> {
  const rows = await queryRows<{
    source: "exception" | "correction";
    id: string;
    exception_id: string;
    title: string;
    kind: string;
    amount_minor: Num;
    currency: string | null;
    since: Date | string;
  }>(
    db,
    sql`select 'correction' as source, c.id, c.exception_id,
          initcap(replace(c.kind, '_', ' ')) || ' proposed: ' || left(c.reason, 120) as title,
          c.kind, c.amount_minor, c.currency, c.proposed_at as since
        from corrections c join exceptions x on x.id = c.exception_id
        where c.status = 'pending_approval' and coalesce(c.entity, x.entity) = ${entity}
        union all
        select 'exception' as source, x.id, x.id as exception_id, x.title, x.type as kind, x.amount_minor,
          x.currency, x.updated_at as since
        from exceptions x
        where x.entity = ${entity} and x.status = 'awaiting_approval'
          and not exists (
            select 1 from corrections c where c.exception_id = x.id and c.status = 'pending_approval'
          )
        order by since, id`,
  );
  return rows.map((r) => ({
    source: r.source,
    id: r.id,
    exceptionId: r.exception_id,
    title: r.title,
    kind: r.kind,
    amountMinor: r.amount_minor === null ? null : n(r.amount_minor),
    currency: r.currency,
    since: iso(r.since),
  }));
}

// ---------------------------------------------------------------------------------------------
// (f) Retroactive amendments into the period

export interface RetroactiveAmendment {
  eventId: string;
  contractId: string;
  customerId: string;
  effectiveFrom: string;
  amendedAt: string;
  currency: string;
  amountImpactMinor: number;
  exceptionId: string | null;
  exceptionStatus: string | null;
}

/**
 * Amendments effective inside the period but made after it ended, unless their
 * retroactive_amendment exception is resolved or dismissed. The exception of an amendment is
 * the one keyed "contractId@eventId" (db/queries/exception-sync.ts).
 */
export async function unresolvedRetroactiveAmendments(
  db: Db,
  s: CloseScope,
): Promise<RetroactiveAmendment[]> {
  const rows = await queryRows<{
    event_id: string;
    contract_id: string;
    customer_id: string;
    effective_from: Date | string;
    amended_at: Date | string;
    currency: string;
    amount_impact_minor: Num;
    exception_id: string | null;
    exception_status: string | null;
  }>(
    db,
    sql`select a.event_id, a.contract_id, a.customer_id, a.effective_from, a.amended_at, a.currency,
          a.amount_impact_minor, w.exception_id, w.exception_status
        from contract_amendments a
        left join lateral (
          select count(*) as exceptions,
            count(*) filter (where x.status not in ${CLOSED_EXCEPTION}) as open_exceptions,
            (array_agg(x.id order by x.opened_at desc))[1] as exception_id,
            (array_agg(x.status order by x.opened_at desc))[1] as exception_status
          from exceptions x
          where x.type = 'retroactive_amendment' and x.problem_key = a.contract_id || '@' || a.event_id
        ) w on true
        where a.entity = ${s.entity} and ${instantIn(sql`a.effective_from`, s)} and a.amended_at >= ${ts(s.end)}
          and (w.exceptions = 0 or w.open_exceptions > 0)
        order by a.amended_at, a.contract_id, a.event_id`,
  );
  return rows.map((r) => ({
    eventId: r.event_id,
    contractId: r.contract_id,
    customerId: r.customer_id,
    effectiveFrom: iso(r.effective_from),
    amendedAt: iso(r.amended_at),
    currency: r.currency,
    amountImpactMinor: n(r.amount_impact_minor),
    exceptionId: r.exception_id,
    exceptionStatus: r.exception_status,
  }));
}

// ---------------------------------------------------------------------------------------------
// Periods and materiality

export interface PeriodState {
  id: string;
  closedAt: Date | null;
  closedBy: string | null;
  closedByEmail: string | null;
}

export async function findAccountingPeriod(
  db: Db,
  entity: string,
  start: Date,
): Promise<PeriodState | null> {
  const [row] = await db
    .select({
      id: accountingPeriods.id,
      closedAt: accountingPeriods.closedAt,
      closedBy: accountingPeriods.closedBy,
      closedByEmail: users.email,
    })
    .from(accountingPeriods)
    .leftJoin(users, eq(users.id, accountingPeriods.closedBy))
    .where(and(eq(accountingPeriods.entity, entity), eq(accountingPeriods.periodStart, start)))
    .limit(1);
  return row ?? null;
}

/** Whether the instant falls in a period of the entity marked closed (for retroactive checks). */
export async function isInClosedPeriod(db: Db, entity: string, at: Date): Promise<boolean> {
  const rows = await queryRows<{ one: number }>(
    db,
    sql`select 1 as one from accounting_periods p
        where p.entity = ${entity} and p.closed_at is not null
          and p.period_start <= ${ts(at)} and p.period_end > ${ts(at)}
        limit 1`,
  );
  return rows.length > 0;
}

export async function listMaterialityThresholds(db: Db, entity: string) {
  return db
    .select()
    .from(materialityThresholds)
    .where(eq(materialityThresholds.entity, entity))
    .orderBy(asc(materialityThresholds.currency));
}

/** Currencies the entity has money in, so materiality can be set for each. */
export async function entityCurrencies(db: Db, entity: string): Promise<string[]> {
  const rows = await queryRows<{ currency: string }>(
    db,
    sql`select currency from (
          select distinct currency from invoices where entity = ${entity}
          union select distinct currency from reconciliation_results where entity = ${entity}
          union select distinct currency from contract_amendments where entity = ${entity}
          union select currency from materiality_thresholds where entity = ${entity}
        ) c order by currency`,
  );
  return rows.map((r) => r.currency);
}
