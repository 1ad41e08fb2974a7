import { sql, type SQL } from "drizzle-orm";
import type { z } from "zod";
import type { Db } from "@/db/client";
import { queryRows } from "@/db/rows";
import type { KpiReport } from "@/lib/contract/kpi-report";

/*
 * An independent oracle for the KPI engine: every headline number recomputed in plain SQL
 * straight from the raw `events` table (the jsonb payloads), never from the projection
 * tables the engine reads and never with db/queries/kpis.ts. Supersession is decided here
 * too, the way the contract states it: the latest event by (time, event_id, then source in
 * byte order) wins per
 * source + entity + meter + window, per invoiceId, per paymentId, per postingId + attempt
 * and per runId + key. Written from docs/kpis.md's definitions, so a disagreement means one of
 * the two misreads them. Exceptions and manual interventions do not come from events; they
 * are read from their own tables.
 */

export interface OracleScope {
  from: Date;
  to: Date;
  entity: string | null;
  now: Date;
}

type Num = string | number | null;
const n = (v: Num | undefined): number => (v === null || v === undefined ? 0 : Number(v));
const nullable = (v: Num | undefined): number | null =>
  v === null || v === undefined ? null : Number(v);
const share = (part: number, whole: number) => (whole === 0 ? null : part / whole);

/**
 * The report's figures as the API contract types them (lib/contract/kpi-report.ts): all of them
 * but the range and the series and per-entity breakdowns, which the oracle does not recompute.
 */
export type OracleReport = Omit<z.infer<typeof KpiReport>, "range" | "series" | "byEntity">;

/** `column` in [from, to). */
const within = (column: SQL, s: OracleScope) =>
  sql`${column} >= ${s.from.toISOString()}::timestamptz and ${column} < ${s.to.toISOString()}::timestamptz`;
/** True for every row without an entity filter; else the row's entity must match. */
const ofEntity = (column: SQL, s: OracleScope) =>
  sql`(${s.entity}::text is null or ${column} = ${s.entity}::text)`;
const millisBetween = (later: SQL, earlier: SQL) =>
  sql`extract(epoch from (${later} - ${earlier})) * 1000`;
/** The continuous median and 95th percentile of `value`, as columns p50 and p95. */
const p50p95 = (value: SQL) =>
  sql`percentile_cont(0.5) within group (order by ${value}) as p50,
    percentile_cont(0.95) within group (order by ${value}) as p95`;

/** The current usage checkpoints: one per source, entity, meter and window. */
const currentCheckpoints = sql`(
  select * from (
    select e.source, e.data->>'entity' as entity, e.data->>'meter' as meter,
      (e.data->>'windowEnd')::timestamptz as window_end,
      (e.data->>'expectedCount')::bigint as expected, (e.data->>'receivedCount')::bigint as received,
      row_number() over (
        partition by e.source, e.data->>'entity', e.data->>'meter',
          (e.data->>'windowStart')::timestamptz, (e.data->>'windowEnd')::timestamptz
        order by e.time desc, e.event_id desc) as position
    from events e where e.type = 'usage.checkpoint'
  ) ranked where position = 1
)`;

/** The current invoice per invoiceId. */
const currentInvoices = sql`(
  select * from (
    select e.data->>'invoiceId' as invoice_id, e.data->>'entity' as entity,
      (e.data->>'issuedAt')::timestamptz as issued_at, (e.data->>'periodEnd')::timestamptz as period_end,
      row_number() over (partition by e.data->>'invoiceId'
        order by e.time desc, e.event_id desc, e.source collate "C" desc) as position
    from events e where e.type = 'invoice.issued'
  ) ranked where position = 1
)`;

/** The current report of each posting attempt, per postingId + attempt number. */
const currentAttempts = sql`(
  select * from (
    select e.data->>'postingId' as posting_id, (e.data->>'attempt')::int as attempt,
      e.data->>'invoiceId' as invoice_id, e.data->>'entity' as entity, e.data->>'status' as status,
      (e.data->>'attemptedAt')::timestamptz as attempted_at,
      nullif(btrim(e.data->>'errorCode'), '') is not null as has_code, e.data->>'errorCode' as raw_code,
      row_number() over (
        partition by e.data->>'postingId', (e.data->>'attempt')::int
        order by e.time desc, e.event_id desc, e.source collate "C" desc) as position
    from events e where e.type = 'erp.posting.attempted'
  ) ranked where position = 1
)`;

/**
 * One row per posting: placed (time, entity, invoice) by its lowest-numbered attempt, with
 * attempt 1's outcome, whether any attempt succeeded, the first success and the outcome of
 * the highest-numbered attempt.
 */
const postings = sql`(
  select outcome.posting_id, first_attempt.attempted_at as first_attempted_at,
    first_attempt.entity, first_attempt.invoice_id, outcome.first_pass, outcome.eventual,
    outcome.first_success_at, last_attempt.status = 'failed' as open_failure
  from (
    select a.posting_id, min(a.attempt) as first_number, max(a.attempt) as last_number,
      bool_or(a.attempt = 1 and a.status = 'succeeded') as first_pass,
      bool_or(a.status = 'succeeded') as eventual,
      min(a.attempted_at) filter (where a.status = 'succeeded') as first_success_at
    from ${currentAttempts} a group by a.posting_id
  ) outcome
  join ${currentAttempts} first_attempt
    on first_attempt.posting_id = outcome.posting_id and first_attempt.attempt = outcome.first_number
  join ${currentAttempts} last_attempt
    on last_attempt.posting_id = outcome.posting_id and last_attempt.attempt = outcome.last_number
)`;

const currentResults = sql`(
  select * from (
    select e.data->>'kind' as kind, e.data->>'entity' as entity, e.data->>'currency' as currency,
      (e.data->>'periodEnd')::timestamptz as period_end,
      abs((e.data->>'actualMinor')::bigint - (e.data->>'expectedMinor')::bigint) as variance,
      coalesce((e.data->>'toleranceMinor')::bigint, 0) as tolerance,
      row_number() over (
        partition by e.data->>'runId', e.data->>'key'
        order by e.time desc, e.event_id desc, e.source collate "C" desc) as position
    from events e where e.type = 'reconciliation.result'
  ) ranked where position = 1
)`;

/**
 * Payments (latest per paymentId) with the entity of their invoice (else the one they name)
 * and their first entitlement update.
 */
const payments = sql`(
  select p.payment_id, p.received_at, coalesce(i.entity, p.own_entity) as entity, u.first_update_at
  from (
    select e.data->>'paymentId' as payment_id, e.data->>'invoiceId' as invoice_id,
      e.data->>'entity' as own_entity,
      (e.data->>'receivedAt')::timestamptz as received_at,
      row_number() over (partition by e.data->>'paymentId'
        order by e.time desc, e.event_id desc, e.source collate "C" desc) as position
    from events e where e.type = 'payment.received'
  ) p
  left join ${currentInvoices} i on i.invoice_id = p.invoice_id
  left join (
    select e.data->>'paymentId' as payment_id, min((e.data->>'updatedAt')::timestamptz) as first_update_at
    from events e where e.type = 'entitlement.updated' and e.data->>'paymentId' is not null
    group by 1
  ) u on u.payment_id = p.payment_id
  where p.position = 1
)`;

export async function oracleKpis(db: Db, s: OracleScope): Promise<OracleReport> {
  const now = sql`${s.now.toISOString()}::timestamptz`;

  const [usage] = await queryRows<{ expected: Num; received: Num; missing: Num }>(
    db,
    sql`select sum(c.expected) as expected, sum(c.received) as received,
          sum(greatest(c.expected - c.received, 0)) as missing
        from ${currentCheckpoints} c where ${within(sql`c.window_end`, s)} and ${ofEntity(sql`c.entity`, s)}`,
  );
  const usageBySourceMeter = await queryRows<{
    source: string;
    meter: string;
    expected: Num;
    received: Num;
    missing: Num;
  }>(
    db,
    sql`select c.source, c.meter, sum(c.expected) as expected, sum(c.received) as received,
          sum(greatest(c.expected - c.received, 0)) as missing
        from ${currentCheckpoints} c where ${within(sql`c.window_end`, s)} and ${ofEntity(sql`c.entity`, s)}
        group by c.source, c.meter order by c.source, c.meter`,
  );

  const lag = millisBetween(sql`e.received_at`, sql`e.time`);
  const [eventLag] = await queryRows<{ count: Num; p50: Num; p95: Num }>(
    db,
    sql`select count(*) as count,
          ${p50p95(lag)}
        from events e where ${within(sql`e.received_at`, s)} and ${ofEntity(sql`e.data->>'entity'`, s)}`,
  );

  const invoiceDelay = millisBetween(sql`i.issued_at`, sql`i.period_end`);
  const [invoices] = await queryRows<{ count: Num; p50: Num; p95: Num }>(
    db,
    sql`select count(*) as count,
          ${p50p95(invoiceDelay)}
        from ${currentInvoices} i where ${within(sql`i.issued_at`, s)} and ${ofEntity(sql`i.entity`, s)}`,
  );

  const postingDelay = millisBetween(sql`p.first_success_at`, sql`i.issued_at`);
  const [erp] = await queryRows<{
    postings: Num;
    first_pass: Num;
    eventual: Num;
    open: Num;
    p50: Num;
    p95: Num;
  }>(
    db,
    sql`select count(*) as postings, count(*) filter (where p.first_pass) as first_pass,
          count(*) filter (where p.eventual) as eventual, count(*) filter (where p.open_failure) as open,
          ${p50p95(postingDelay)}
        from ${postings} p left join ${currentInvoices} i on i.invoice_id = p.invoice_id
        where ${within(sql`p.first_attempted_at`, s)} and ${ofEntity(sql`p.entity`, s)}`,
  );
  const errorCodes = await queryRows<{ code: string; failures: Num }>(
    db,
    sql`select case when a.has_code then a.raw_code else '(none)' end as code, count(*) as failures
        from ${currentAttempts} a join ${postings} p on p.posting_id = a.posting_id
        where a.status = 'failed' and ${within(sql`p.first_attempted_at`, s)} and ${ofEntity(sql`p.entity`, s)}
        group by 1 order by 2 desc, 1 limit 5`,
  );

  const reconciliationRows = await queryRows<{
    kind: string;
    currency: string;
    results: Num;
    breaks: Num;
    variance: Num;
  }>(
    db,
    sql`select r.kind, r.currency, count(*) as results, count(*) filter (where r.variance > r.tolerance) as breaks,
          sum(r.variance) as variance
        from ${currentResults} r where ${within(sql`r.period_end`, s)} and ${ofEntity(sql`r.entity`, s)}
        group by r.kind, r.currency`,
  );

  // An update made before the payment was received synced it at once: 0, never negative.
  const sync = sql`case when p.first_update_at < p.received_at then 0
    else ${millisBetween(sql`p.first_update_at`, sql`p.received_at`)} end`;
  const [pay] = await queryRows<{ count: Num; synced: Num; p50: Num; p95: Num; overdue: Num }>(
    db,
    sql`select count(*) as count, count(p.first_update_at) as synced,
          ${p50p95(sync)},
          count(*) filter (where ${now} >= p.received_at + interval '1 hour'
            and not coalesce(p.first_update_at <= p.received_at + interval '1 hour', false)) as overdue
        from ${payments} p where ${within(sql`p.received_at`, s)} and ${ofEntity(sql`p.entity`, s)}`,
  );

  const age = millisBetween(now, sql`x.opened_at`);
  const exceptionRows = await queryRows<{ type: string; open: Num; oldest: Num; median: Num }>(
    db,
    sql`select x.type, count(*) as open, max(${age}) as oldest,
          percentile_cont(0.5) within group (order by ${age}) as median
        from exceptions x
        where x.status in ('open', 'in_progress', 'awaiting_approval', 'awaiting_confirmation') and ${ofEntity(sql`x.entity`, s)}
        group by x.type`,
  );
  const [interventions] = await queryRows<{ count: Num }>(
    db,
    sql`select count(*) as count from audit_log a
        left join exceptions acted_on on a.target_type = 'exception' and acted_on.id::text = a.target_id
        where a.actor_type = 'user' and ${within(sql`a.at`, s)}
          and (a.action like 'exception.%' or a.action like 'correction.%' or a.action like 'rejected_event.%')
          and (${s.entity}::text is null or a.after->>'entity' = ${s.entity}::text
            or a.before->>'entity' = ${s.entity}::text or acted_on.entity = ${s.entity}::text)`,
  );

  const ms = (v: Num | undefined) => {
    const value = nullable(v);
    return value === null ? null : Math.round(value);
  };

  // Summed as numbers here: the oracle's data stays within 2^53, where the report's are numbers too.
  type Summed = OracleReport["reconciliation"] & { absVarianceMinor: Record<string, number> };
  const reconciliation: Summed = {
    results: 0,
    breaks: 0,
    breakRate: null,
    absVarianceMinor: {},
  };
  const reconciliationByKind: Record<string, Summed> = {};
  for (const r of reconciliationRows) {
    for (const target of [
      reconciliation,
      (reconciliationByKind[r.kind] ??= {
        results: 0,
        breaks: 0,
        breakRate: null,
        absVarianceMinor: {},
      }),
    ]) {
      target.results += n(r.results);
      target.breaks += n(r.breaks);
      target.absVarianceMinor[r.currency] =
        (target.absVarianceMinor[r.currency] ?? 0) + n(r.variance);
      target.breakRate = share(target.breaks, target.results);
    }
  }

  const byType: OracleReport["exceptions"]["byType"] = {};
  for (const r of exceptionRows)
    byType[r.type] = { open: n(r.open), oldestAgeMs: ms(r.oldest), medianAgeMs: ms(r.median) };

  const postingCount = n(erp?.postings);
  return {
    usageCompleteness: {
      expected: n(usage?.expected),
      received: n(usage?.received),
      missing: n(usage?.missing),
      ratio: share(n(usage?.received), n(usage?.expected)),
    },
    eventLag: { count: n(eventLag?.count), p50Ms: ms(eventLag?.p50), p95Ms: ms(eventLag?.p95) },
    invoiceLatency: {
      count: n(invoices?.count),
      p50Ms: ms(invoices?.p50),
      p95Ms: ms(invoices?.p95),
    },
    erpPosting: {
      postings: postingCount,
      firstPassSuccessRate: share(n(erp?.first_pass), postingCount),
      eventualSuccessRate: share(n(erp?.eventual), postingCount),
      latencyP50Ms: ms(erp?.p50),
      latencyP95Ms: ms(erp?.p95),
      openFailures: n(erp?.open),
    },
    reconciliation,
    paymentToEntitlement: {
      count: n(pay?.count),
      synced: n(pay?.synced),
      p50Ms: ms(pay?.p50),
      p95Ms: ms(pay?.p95),
      overdue: n(pay?.overdue),
    },
    exceptions: { open: Object.values(byType).reduce((sum, t) => sum + t.open, 0), byType },
    manualInterventions: n(interventions?.count),
    details: {
      usageBySourceMeter: usageBySourceMeter.map((r) => ({
        source: r.source,
        meter: r.meter,
        expected: n(r.expected),
        received: n(r.received),
        missing: n(r.missing),
        ratio: share(n(r.received), n(r.expected)),
      })),
      erpTopErrorCodes: errorCodes.map((r) => ({ errorCode: r.code, failures: n(r.failures) })),
      reconciliationByKind,
    },
  };
}
