/*
 * The baseline of `npm run bench -- kpis`: the headline KPIs of docs/kpis.md computed by one
 * plain aggregate query over the raw `events` table (JSON payloads, no projections, no
 * indexes beyond the table's own), the way someone would write it without Closeline's read
 * models. Supersession is done the naive way too: the latest event per natural key wins.
 * Parameters: $1 from, $2 to, $3 now (all timestamptz).
 */
export const NAIVE_KPI_QUERY = `
with
usage as (
  select distinct on (source, data->>'entity', data->>'meter', data->>'windowStart', data->>'windowEnd')
    (data->>'expectedCount')::bigint as expected, (data->>'receivedCount')::bigint as received
  from events
  where type = 'usage.checkpoint'
    and (data->>'windowEnd')::timestamptz >= $1 and (data->>'windowEnd')::timestamptz < $2
  order by source, data->>'entity', data->>'meter', data->>'windowStart', data->>'windowEnd',
    time desc, event_id desc),
inv as (
  select distinct on (data->>'invoiceId') data->>'invoiceId' as invoice_id,
    (data->>'issuedAt')::timestamptz as issued_at, (data->>'periodEnd')::timestamptz as period_end
  from events where type = 'invoice.issued'
  order by data->>'invoiceId', time desc, event_id desc),
att as (
  select distinct on (data->>'postingId', (data->>'attempt')::int)
    data->>'postingId' as posting_id, (data->>'attempt')::int as attempt,
    data->>'invoiceId' as invoice_id, data->>'status' as status,
    (data->>'attemptedAt')::timestamptz as attempted_at
  from events where type = 'erp.posting.attempted'
  order by data->>'postingId', (data->>'attempt')::int, time desc, event_id desc),
posting as (
  select posting_id, (array_agg(invoice_id order by attempt))[1] as invoice_id,
    (array_agg(attempted_at order by attempt))[1] as first_at,
    bool_or(attempt = 1 and status = 'succeeded') as first_pass,
    bool_or(status = 'succeeded') as eventually,
    (array_agg(status order by attempt desc))[1] = 'failed' as open_failure,
    min(attempted_at) filter (where status = 'succeeded') as first_success_at
  from att group by posting_id),
rec as (
  select distinct on (data->>'runId', data->>'key') data->>'currency' as currency,
    (data->>'periodEnd')::timestamptz as period_end,
    abs((data->>'actualMinor')::bigint - (data->>'expectedMinor')::bigint) as variance,
    (data->>'toleranceMinor')::bigint as tolerance
  from events where type = 'reconciliation.result'
  order by data->>'runId', data->>'key', time desc, event_id desc),
pay as (
  select distinct on (data->>'paymentId') data->>'paymentId' as payment_id,
    (data->>'receivedAt')::timestamptz as received_at
  from events where type = 'payment.received'
  order by data->>'paymentId', time desc, event_id desc),
sync as (
  select p.received_at, (select min((u.data->>'updatedAt')::timestamptz) from events u
      where u.type = 'entitlement.updated' and u.data->>'paymentId' = p.payment_id) as first_update_at
  from pay p where p.received_at >= $1 and p.received_at < $2)
select
  (select sum(expected) from usage) as usage_expected,
  (select sum(received) from usage) as usage_received,
  (select count(*) from events where received_at >= $1 and received_at < $2) as lag_count,
  (select percentile_cont(0.95) within group (order by extract(epoch from received_at - time) * 1000)
     from events where received_at >= $1 and received_at < $2) as lag_p95,
  (select count(*) from inv where issued_at >= $1 and issued_at < $2) as invoices,
  (select percentile_cont(0.95) within group (order by extract(epoch from issued_at - period_end) * 1000)
     from inv where issued_at >= $1 and issued_at < $2) as invoice_p95,
  (select count(*) from posting where first_at >= $1 and first_at < $2) as postings,
  (select count(*) filter (where first_pass) from posting where first_at >= $1 and first_at < $2) as first_pass,
  (select percentile_cont(0.95) within group (order by extract(epoch from p.first_success_at - i.issued_at) * 1000)
     from posting p left join inv i using (invoice_id) where p.first_at >= $1 and p.first_at < $2) as posting_p95,
  (select count(*) from rec where period_end >= $1 and period_end < $2) as recon_results,
  (select count(*) filter (where variance > tolerance) from rec where period_end >= $1 and period_end < $2) as recon_breaks,
  (select count(*) from sync) as payments,
  (select percentile_cont(0.95) within group (order by extract(epoch from first_update_at - received_at) * 1000)
     from sync) as sync_p95,
  (select count(*) filter (where received_at + interval '1 hour' <= $3
     and (first_update_at is null or first_update_at > received_at + interval '1 hour')) from sync) as overdue
`;

export interface NaiveKpis {
  usage_expected: string | null;
  usage_received: string | null;
  lag_count: string;
  invoices: string;
  postings: string;
  recon_results: string;
  payments: string;
  overdue: string;
}
