import type postgres from "postgres";

/*
 * Fills a fresh Closeline database with about 13 months of telemetry straight in SQL
 * (generate_series), the way years of ingestion would have left it: every projection row
 * has its `events` row (same seq, as ingestion writes them), usage checkpoints and their
 * events dominate, and a share of checkpoints were superseded by a later re-report (the
 * superseded event stays in `events`, only the winner in `usage_checkpoints`). Values are
 * derived from hashes of the row number, so the same scale gives the same rows.
 *
 * Three entities in three currencies. Per hour: `seriesPerHour` usage checkpoints (entity ×
 * source × meter), and the billing side scaled to it. Event lag is mostly sub-second with a
 * 3% tail of events arriving up to 10 hours late.
 */

export interface LoadPlan {
  /** Hours of history, ending at `end` (exclusive). */
  hours: number;
  /** Usage series (entity × source × meter), one checkpoint each per hour. */
  seriesPerHour: number;
  end: Date;
}

export interface LoadCounts {
  table: string;
  rows: number;
}

const TABLES = [
  "events",
  "usage_checkpoints",
  "invoices",
  "erp_posting_attempts",
  "payments",
  "entitlement_updates",
  "reconciliation_results",
];

/** A deterministic value in [0, mod) from a row number and a salt. */
const h = (expr: string, salt: number, mod: number) =>
  `(abs(hashint8((${expr})::bigint * 7919 + ${salt})::bigint) % ${mod})`;

const ENTITY = (i: string) => `(array['ACME-US','ACME-DE','ACME-UK'])[(${i}) % 3 + 1]`;
const CURRENCY = (i: string) => `(array['USD','EUR','GBP'])[(${i}) % 3 + 1]`;

/**
 * Loads the rows with the secondary indexes dropped and foreign-key triggers off, then
 * rebuilds the indexes and ANALYZEs: minutes instead of an hour. The result is the same
 * database ingestion would have produced, indexes and trigger-kept tables included.
 */
export async function loadTelemetry(
  sql: postgres.Sql,
  plan: LoadPlan,
  log: (line: string) => void,
): Promise<LoadCounts[]> {
  const t0 = `'${new Date(plan.end.getTime() - plan.hours * 3_600_000).toISOString()}'::timestamptz`;
  const usageRows = plan.hours * plan.seriesPerHour;
  // Billing scales with the business, not the meters: per hour of history.
  const invoicesN = Math.round(plan.hours * 25);
  const postingsN = invoicesN; // one posting per invoice, with retries below
  const paymentsN = Math.round(invoicesN * 0.8);
  const reconN = Math.round(plan.hours * 20);
  const supersededN = Math.round(usageRows * 0.03);

  const indexes = await sql<{ indexname: string; indexdef: string }[]>`
    select i.indexname, i.indexdef from pg_indexes i
    where i.schemaname = 'public' and i.tablename in ${sql(TABLES)}
      and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`;
  await sql.begin(async (tx) => {
    await tx.unsafe(`set local session_replication_role = replica`);
    await tx.unsafe(`set local maintenance_work_mem = '512MB'`);
    for (const index of indexes) await tx.unsafe(`drop index ${index.indexname}`);

    const step = async (label: string, text: string) => {
      const started = Date.now();
      await tx.unsafe(text);
      log(`  ${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    };

    // seq layout: usage [1, U], superseded [U+1, U+S], then billing types after.
    let base = 0;
    const seq = (offset: number) => `(g + ${offset + 1})`;

    // Usage: g → hour g / series, series g % series.
    const series = plan.seriesPerHour;
    const hour = `(g / ${series})`;
    const s = `(g % ${series})`;
    const windowEnd = `(${t0} + (${hour} + 1) * interval '1 hour')`;
    const evTime = `(${windowEnd} + ${h("g", 1, 120)} * interval '1 second')`;
    const lag = `(case when ${h("g", 2, 100)} < 3 then ${h("g", 3, 36_000_000)} else 40 + ${h("g", 4, 1500)} end * interval '1 millisecond')`;
    const expected = `(1000 + ${h("g", 5, 250000)})`;
    const missing = `(case when ${h("g", 6, 10)} = 0 then ${h("g", 7, 50)} else 0 end)`;
    await step(
      `events: ${usageRows.toLocaleString("en-US")} usage checkpoints`,
      `insert into events (seq, source, event_id, type, time, received_at, data)
       select ${seq(base)}, 'urn:acme:usage-' || (${s} / 3) % 2, 'u-' || g, 'usage.checkpoint',
         ${evTime}, ${evTime} + ${lag},
         jsonb_build_object('entity', ${ENTITY(s)}, 'meter', 'meter_' || (${s} / 6),
           'windowStart', ${windowEnd} - interval '1 hour', 'windowEnd', ${windowEnd},
           'expectedCount', ${expected}, 'receivedCount', ${expected} - ${missing})
       from generate_series(0, ${usageRows - 1}) g`,
    );
    await step(
      "usage_checkpoints",
      `insert into usage_checkpoints (source, entity, meter, window_start, window_end,
         expected_count, received_count, rejected_count, event_seq, event_time, event_id)
       select e.source, e.data->>'entity', e.data->>'meter', (e.data->>'windowStart')::timestamptz,
         (e.data->>'windowEnd')::timestamptz, (e.data->>'expectedCount')::bigint,
         (e.data->>'receivedCount')::bigint, null, e.seq, e.time, e.event_id
       from events e`,
    );
    // What the usage_checkpoints triggers (off during the load) would have kept: the daily
    // completeness rollup. Superseded reports below go to events only, so it is final here.
    // All in rollup shard 0 (the column's default), the one a writer alone uses.
    await step(
      "usage_completeness_days",
      `insert into usage_completeness_days (day, entity, source, meter, checkpoints, expected,
         received, missing)
       select (window_end at time zone 'UTC')::date, entity, source, meter, count(*),
         sum(expected_count), sum(received_count), sum(greatest(expected_count - received_count, 0))
       from usage_checkpoints group by 1, 2, 3, 4`,
    );
    await step(
      "usage_completeness_entity_days",
      `insert into usage_completeness_entity_days (day, entity, checkpoints, expected, received, missing)
       select day, entity, sum(checkpoints), sum(expected), sum(received), sum(missing)
       from usage_completeness_days group by 1, 2`,
    );
    await step(
      "usage_completeness_months",
      `insert into usage_completeness_months (month, entity, source, meter, checkpoints, expected,
         received, missing)
       select date_trunc('month', day)::date, entity, source, meter, sum(checkpoints), sum(expected),
         sum(received), sum(missing)
       from usage_completeness_days group by 1, 2, 3, 4`,
    );
    base += usageRows;
    // Superseded reports: earlier events for a window whose winner is in usage_checkpoints.
    await step(
      `events: ${supersededN.toLocaleString("en-US")} superseded checkpoints`,
      `insert into events (seq, source, event_id, type, time, received_at, data)
       select ${seq(base)}, e.source, 'u-old-' || g, e.type, e.time - interval '5 minutes',
         e.received_at - interval '5 minutes', e.data || '{"receivedCount": 0}'
       from generate_series(0, ${supersededN - 1}) g
       join events e on e.seq = 1 + ${h("g", 8, usageRows)}`,
    );
    base += supersededN;

    // Invoices: spread evenly over the history; issued 0–72 h after their period's end.
    const issuedAt = (n: number) =>
      `(${t0} + (g::float8 / ${n}) * ${plan.hours} * interval '1 hour')`;
    await step(
      `events + invoices: ${invoicesN.toLocaleString("en-US")}`,
      `with e as (
         insert into events (seq, source, event_id, type, time, received_at, data)
         select ${seq(base)}, 'urn:acme:billing', 'inv-' || g, 'invoice.issued', ${issuedAt(invoicesN)},
           ${issuedAt(invoicesN)} + ${lag},
           jsonb_build_object('invoiceId', 'INV-' || g, 'customerId', 'cus_' || g % 400,
             'entity', ${ENTITY("g")}, 'currency', ${CURRENCY("g")},
             'amountMinor', 5000 + ${h("g", 9, 2500000)},
             'periodStart', ${issuedAt(invoicesN)} - ${h("g", 10, 72)} * interval '1 hour' - interval '1 month',
             'periodEnd', ${issuedAt(invoicesN)} - ${h("g", 10, 72)} * interval '1 hour',
             'issuedAt', ${issuedAt(invoicesN)})
         from generate_series(0, ${invoicesN - 1}) g
         returning seq, time, event_id, data)
       insert into invoices (invoice_id, source, customer_id, entity, currency, amount_minor,
         period_start, period_end, issued_at, event_seq, event_time, event_id)
       select data->>'invoiceId', 'urn:acme:billing', data->>'customerId', data->>'entity',
         data->>'currency', (data->>'amountMinor')::bigint, (data->>'periodStart')::timestamptz,
         (data->>'periodEnd')::timestamptz, (data->>'issuedAt')::timestamptz, seq, time, event_id
       from e`,
    );
    base += invoicesN;

    // ERP postings: one per invoice, first attempt minutes after issue; 12% fail the first
    // time, retried up to 3 more times an hour apart, and 1 in 4 of those never succeeds.
    const attemptsSql = `
      select g, a,
        ${issuedAt(postingsN)} + (2 + ${h("g", 11, 600)}) * interval '1 minute' + (a - 1) * interval '1 hour' as at,
        case when ${h("g", 12, 100)} >= 12 then 1
             when ${h("g", 13, 4)} = 0 then 4
             else 2 + ${h("g", 14, 2)} end as attempts
      from generate_series(0, ${postingsN - 1}) g, generate_series(1, 4) a`;
    const [{ attempts }] = await tx.unsafe<[{ attempts: string }]>(
      `select count(*) as attempts from (${attemptsSql}) x where a <= attempts`,
    );
    await step(
      `events + erp_posting_attempts: ${Number(attempts).toLocaleString("en-US")}`,
      `with src as (
         select row_number() over (order by g, a) - 1 as n, * from (${attemptsSql}) x where a <= attempts),
       e as (
         insert into events (seq, source, event_id, type, time, received_at, data)
         select n + ${base + 1}, 'urn:acme:erp-connector', 'erp-' || g || '-' || a,
           'erp.posting.attempted', at, at + ${lag},
           jsonb_build_object('postingId', 'PST-' || g, 'invoiceId', 'INV-' || g,
             'entity', ${ENTITY("g")}, 'attempt', a,
             'status', case when a = attempts and not (attempts = 4 and ${h("g", 15, 4)} = 0)
               then 'succeeded' else 'failed' end,
             'attemptedAt', at)
           || case when a = attempts and not (attempts = 4 and ${h("g", 15, 4)} = 0) then '{}'::jsonb
              else jsonb_build_object('errorCode', (array['GL_PERIOD_CLOSED','ACCOUNT_MISSING','RATE_LIMITED','TIMEOUT'])[${h("g * 4 + a", 16, 4)} + 1],
                'errorMessage', 'ERP rejected the posting') end
         from src
         returning seq, time, event_id, data)
       insert into erp_posting_attempts (posting_id, attempt, invoice_id, entity, status,
         attempted_at, error_code, error_message, event_seq, event_time, event_id)
       select data->>'postingId', (data->>'attempt')::bigint, data->>'invoiceId', data->>'entity',
         data->>'status', (data->>'attemptedAt')::timestamptz, data->>'errorCode',
         data->>'errorMessage', seq, time, event_id
       from e`,
    );
    base += Number(attempts);

    // Payments: days after issue; each named by an entitlement update minutes later (5%
    // late by hours, 3% never), plus as many unrelated entitlement changes.
    const paidAtOf = (g: string) =>
      `(${t0} + ((${g})::float8 / ${paymentsN}) * ${plan.hours} * interval '1 hour' + (1 + ${h(g, 17, 20)}) * interval '1 day' + ${h(g, 18, 86400)} * interval '1 second')`;
    const paidAt = paidAtOf("g");
    await step(
      `events + payments: ${paymentsN.toLocaleString("en-US")}`,
      `with e as (
         insert into events (seq, source, event_id, type, time, received_at, data)
         select ${seq(base)}, 'urn:acme:payments', 'pay-' || g, 'payment.received', ${paidAt},
           ${paidAt} + ${lag},
           jsonb_build_object('paymentId', 'pay_' || g, 'customerId', 'cus_' || g % 400,
             'invoiceId', 'INV-' || g, 'currency', ${CURRENCY("g")},
             'amountMinor', 5000 + ${h("g", 9, 2500000)}, 'receivedAt', ${paidAt})
         from generate_series(0, ${paymentsN - 1}) g
         where ${paidAt} < '${plan.end.toISOString()}'::timestamptz
         returning seq, time, event_id, data)
       insert into payments (payment_id, customer_id, invoice_id, currency, amount_minor,
         received_at, event_seq, event_time, event_id)
       select data->>'paymentId', data->>'customerId', data->>'invoiceId', data->>'currency',
         (data->>'amountMinor')::bigint, (data->>'receivedAt')::timestamptz, seq, time, event_id
       from e`,
    );
    base += paymentsN;
    // Update g names payment g / 2 when g is even; odd ones are unrelated changes.
    const updatedAt = `(${paidAtOf("g / 2")} + case when g % 2 = 1 then interval '3 days'
        when ${h("g", 19, 100)} < 5 then ${h("g", 20, 20)} * interval '1 hour'
        else (30 + ${h("g", 21, 900)}) * interval '1 second' end)`;
    await step(
      `events + entitlement_updates: ${(2 * paymentsN).toLocaleString("en-US")}`,
      `with e as (
         insert into events (seq, source, event_id, type, time, received_at, data)
         select ${seq(base)}, 'urn:acme:entitlements', 'ent-' || g, 'entitlement.updated',
           ${updatedAt}, ${updatedAt} + ${lag},
           jsonb_build_object('customerId', 'cus_' || g % 400, 'status', 'active',
             'updatedAt', ${updatedAt})
           || case when g % 2 = 0 and ${h("g", 22, 100)} >= 3
                then jsonb_build_object('paymentId', 'pay_' || g / 2) else '{}'::jsonb end
         from generate_series(0, ${2 * paymentsN - 1}) g
         where ${updatedAt} < '${plan.end.toISOString()}'::timestamptz
         returning seq, time, event_id, data)
       insert into entitlement_updates (event_seq, customer_id, status, payment_id, updated_at,
         event_time, event_id)
       select seq, data->>'customerId', data->>'status', data->>'paymentId',
         (data->>'updatedAt')::timestamptz, time, event_id
       from e`,
    );
    base += 2 * paymentsN;

    // Reconciliation: daily runs per entity × kind over the month just ended, 3% breaks.
    const runAt = `(${t0} + (g::float8 / ${reconN}) * ${plan.hours} * interval '1 hour')`;
    await step(
      `events + reconciliation_results: ${reconN.toLocaleString("en-US")}`,
      `with e as (
         insert into events (seq, source, event_id, type, time, received_at, data)
         select ${seq(base)}, 'urn:acme:reconciliation', 'rec-' || g, 'reconciliation.result',
           ${runAt}, ${runAt} + ${lag},
           jsonb_build_object('runId', 'rec-' || to_char(${runAt}, 'YYYY-MM-DD') || '-' || g % 9,
             'kind', (array['usage_vs_billing','billing_vs_erp','payments_vs_ar'])[(g / 3) % 3 + 1],
             'entity', ${ENTITY("g")}, 'currency', ${CURRENCY("g")}, 'key', 'cus_' || g,
             'periodStart', date_trunc('day', ${runAt}) - interval '30 days',
             'periodEnd', date_trunc('day', ${runAt}),
             'expectedMinor', ${h("g", 23, 2000000)},
             'actualMinor', ${h("g", 23, 2000000)} - case when ${h("g", 24, 100)} < 3 then 101 + ${h("g", 25, 50000)} else 0 end,
             'toleranceMinor', 100)
         from generate_series(0, ${reconN - 1}) g
         returning seq, time, event_id, data)
       insert into reconciliation_results (run_id, key, kind, entity, period_start, period_end,
         currency, expected_minor, actual_minor, tolerance_minor, event_seq, event_time, event_id)
       select data->>'runId', data->>'key', data->>'kind', data->>'entity',
         (data->>'periodStart')::timestamptz, (data->>'periodEnd')::timestamptz, data->>'currency',
         (data->>'expectedMinor')::bigint, (data->>'actualMinor')::bigint,
         (data->>'toleranceMinor')::bigint, seq, time, event_id
       from e`,
    );

    // What the events triggers (off during the load) would have kept: the lag histogram, in
    // rollup shard 0 as the usage rollups above.
    await step(
      "event_lag_days",
      `insert into event_lag_days (day, entity, bucket, events)
       select (received_at at time zone 'UTC')::date, coalesce(entity, ''), lag_bucket, count(*)
       from events group by 1, 2, 3`,
    );
    await step(
      "event_lag_hours",
      `insert into event_lag_hours (hour, entity, bucket, events)
       select date_trunc('hour', received_at, 'UTC'), coalesce(entity, ''), lag_bucket, count(*)
       from events group by 1, 2, 3`,
    );
    await step(
      "event_lag_fine_days",
      `insert into event_lag_fine_days (fine, day, entity, events)
       select closeline_lag_fine_bucket(lag_ms), (received_at at time zone 'UTC')::date,
         coalesce(entity, ''), count(*)
       from events group by 1, 2, 3`,
    );
    await step(
      "event_lag_value_days",
      `insert into event_lag_value_days (fine, day, entity, lag_ms, events)
       select closeline_lag_fine_bucket(lag_ms), (received_at at time zone 'UTC')::date,
         coalesce(entity, ''), lag_ms, count(*)
       from events group by 1, 2, 3, 4`,
    );
    await step(
      "event_lag_months",
      `insert into event_lag_months (month, entity, bucket, events)
       select date_trunc('month', day)::date, entity, bucket, sum(events)
       from event_lag_days group by 1, 2, 3`,
    );
    await step(
      "event_lag_day_versions",
      `insert into event_lag_day_versions (day, version) select distinct day, 1 from event_lag_days`,
    );
    await step(
      "sequence",
      `select setval(pg_get_serial_sequence('events', 'seq'), (select max(seq) from events))`,
    );
    for (const index of indexes) await step(`index ${index.indexname}`, index.indexdef);
    // After the indexes: the rebuild looks each posting and payment up by key.
    await step("erp_postings and payment_syncs", `select kpi_summaries_rebuild()`);
  });
  const started = Date.now();
  await sql.unsafe(`vacuum analyze`);
  log(`  vacuum analyze (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return countTelemetry(sql);
}

export async function countTelemetry(sql: postgres.Sql): Promise<LoadCounts[]> {
  const counts: LoadCounts[] = [];
  for (const table of TABLES) {
    const [{ n }] = await sql.unsafe<[{ n: string }]>(`select count(*) as n from ${table}`);
    counts.push({ table, rows: Number(n) });
  }
  return counts;
}
