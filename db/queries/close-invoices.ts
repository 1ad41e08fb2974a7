import "server-only";
import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";
import { n, iso, instantIn, spanEndIn, type CloseScope, type Num } from "./close";
import { CLOSED_STATUS_SQL } from "../schema";
import { effectiveMaterialitySql } from "./materiality";

/*
 * Close readiness, the checks on the period's invoices and money: posted to the ERP (b),
 * reconciliation breaks above materiality (c), open disputes above materiality (d). The
 * period rules and helpers are in ./close.ts.
 */

// ── (b) Invoices posted to the ERP ──────────────────────────────────────────────────────────

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
          order by (x.status not in ${CLOSED_STATUS_SQL}) desc, x.opened_at desc limit 1
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

// ── (c) Reconciliation breaks above materiality ─────────────────────────────────────────────

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
/**
 * A break's materiality: the entity's threshold in its currency, or in the reporting currency
 * at the rate in effect on the period's last day (the month-end closing rate).
 */
const breakMateriality = effectiveMaterialitySql(
  sql`r.entity`,
  sql`r.currency`,
  sql`((r.period_end - interval '1 millisecond') at time zone 'UTC')::date`,
);
const materialSql = sql`abs(r.actual_minor - r.expected_minor) > ${breakMateriality}`;
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
          abs(r.actual_minor - r.expected_minor) as variance, ${breakMateriality} as materiality,
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

// ── (d) Open disputes above materiality ─────────────────────────────────────────────────────

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
          select i.invoice_id, i.customer_id, i.currency, i.amount_minor, i.issued_at
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
            count(*) filter (where x.status not in ${CLOSED_STATUS_SQL}) as open_exceptions,
            max(x.amount_minor) filter (where x.status not in ${CLOSED_STATUS_SQL}) as open_amount,
            (array_agg(x.id order by (x.status not in ${CLOSED_STATUS_SQL}) desc, x.opened_at desc))[1] as exception_id
          from exceptions x join scoped sc on sc.invoice_id = x.invoice_id
          where x.type = 'invoice_disputed'
          group by x.invoice_id
        )
        select sc.invoice_id, sc.customer_id, sc.currency, sc.amount_minor as invoice_amount,
          least(coalesce(w.open_amount, case when t.whole_invoice then sc.amount_minor else t.amount end, sc.amount_minor),
                sc.amount_minor) as disputed,
          ${effectiveMaterialitySql(
            sql`${s.entity}::text`,
            sql`sc.currency`,
            sql`(sc.issued_at at time zone 'UTC')::date`,
          )} as materiality, t.reason, t.disputed_at,
          w.exception_id, coalesce(w.exceptions, 0) as exceptions, coalesce(w.open_exceptions, 0) as open_exceptions
        from scoped sc
        left join telemetry t on t.invoice_id = sc.invoice_id
        left join workflow w on w.invoice_id = sc.invoice_id
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
