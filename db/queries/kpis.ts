import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { interpolate, interpolationRanks } from "./exact-percentile";
import type { Db } from "../client";
import { queryRows } from "../rows";
import { millisBetween } from "../schema/durations";
import { EXCEPTION_TYPES, OPEN_STATUS_SQL } from "../schema/exceptions";
import { groupingSets, perGroupRanges } from "./kpi-grouping";
import type { Grouped, KpiGrouping, KpiScope } from "./kpi-scope";

export type { GroupSet, Grouped, KpiGrouping, KpiScope, SeriesUnit } from "./kpi-scope";

/*
 * The KPI aggregates, one query per KPI, straight from the typed projection tables. Each
 * query groups its rows up to three ways in one pass (GROUPING SETS): not at all (the
 * headline number), by time bucket (a series) and by entity. The definitions are in docs/kpis.md; lib/kpi/
 * assembles these rows into the API's shape. Percentiles are percentile_cont, as defined.
 */

/** `column` in the scope's [from, to). */
export const inRange = (column: SQL, scope: KpiScope) =>
  sql`${column} >= ${scope.from.toISOString()}::timestamptz and ${column} < ${scope.to.toISOString()}::timestamptz`;
/** `and <column> = <entity>` when the scope names one entity, else nothing. */
export const entityIs = (column: SQL, scope: KpiScope) =>
  scope.entity ? sql`and ${column} = ${scope.entity}` : sql``;

type Num = string | number | null;
export const num = (v: Num): number | null => (v === null ? null : Number(v));

export interface CompletenessRow extends Grouped {
  expected: Num;
  received: Num;
  missing: Num;
}

// Usage completeness reads a daily rollup: db/queries/usage-completeness.ts.

export interface CompletenessBySourceRow {
  source: string;
  meter: string;
  expected: Num;
  received: Num;
  missing: Num;
}

export interface PercentileRow extends Grouped {
  count: Num;
  p50: Num;
  p95: Num;
}

// Event lag (received-at minus event time) has its own module, db/queries/event-lag.ts:
// its percentiles over ~450,000 events a month need a histogram, not a sort.

/** p50 and p95 of `value` as percentile_cont, named `<prefix>p50` and `<prefix>p95`. */
const percentiles = (value: SQL, prefix = "") => sql`
  percentile_cont(0.5) within group (order by ${value}) as ${sql.identifier(`${prefix}p50`)},
  percentile_cont(0.95) within group (order by ${value}) as ${sql.identifier(`${prefix}p95`)}`;

/**
 * issuedAt − periodEnd (the stored latency_ms) for invoices issued in the range, each group
 * from its own range of the invoices_issued_at_idx or invoices_entity_issued_idx index.
 */
export function invoiceLatency(db: Db, scope: KpiScope, grouping: KpiGrouping) {
  const source = { table: sql`invoices x`, time: sql`x.issued_at`, entity: sql`x.entity` };
  const aggregates = sql`count(*) as count, ${percentiles(sql`x.latency_ms`)}`;
  return queryRows<PercentileRow>(db, perGroupRanges(scope, grouping, source, aggregates, "count"));
}

/**
 * One row per posting, with what the ERP KPIs need: erp_postings, the summary triggers keep
 * of each posting's attempts and its invoice's issuedAt (db/schema/summaries.ts). Shared by
 * the aggregate and the drill-down, which filter on the first attempt being in the range.
 */
export function postingSummaries(): SQL {
  return sql`erp_postings`;
}

export interface ErpPostingRow extends Grouped {
  postings: Num;
  first_pass: Num;
  eventual: Num;
  open_failures: Num;
  latency_p50: Num;
  latency_p95: Num;
}

/** The ERP posting KPIs per group, from erp_postings' two covering indexes. */
export function erpPosting(db: Db, scope: KpiScope, grouping: KpiGrouping) {
  const source = {
    table: sql`${postingSummaries()} x`,
    time: sql`x.first_attempted_at`,
    entity: sql`x.entity`,
  };
  const aggregates = sql`count(*) as postings,
    count(*) filter (where x.first_pass) as first_pass,
    count(*) filter (where x.eventually) as eventual,
    count(*) filter (where x.open_failure) as open_failures,
    ${percentiles(sql`x.latency_ms`, "latency_")}`;
  return queryRows<ErpPostingRow>(
    db,
    perGroupRanges(scope, grouping, source, aggregates, "postings"),
  );
}

export function erpTopErrorCodes(db: Db, scope: KpiScope, limit = 5) {
  // The failed attempts of each posting with a failure, looked up by its key (OFFSET 0 keeps
  // the lookup a lateral one: as a join, the planner scanned every attempt).
  return queryRows<{ error_code: string; failures: Num }>(
    db,
    // A blank code is no code (docs/kpis.md); new rows store it as null already.
    sql`select case when btrim(a.error_code) <> '' then a.error_code else '(none)' end as error_code,
          count(*) as failures
        from ${postingSummaries()} p
        cross join lateral (
          select a.error_code from erp_posting_attempts a
          where a.posting_id = p.posting_id and a.status = 'failed' offset 0
        ) a
        -- Only postings with a failure can have one (the partial index erp_postings_failed_idx).
        where p.failures > 0 and ${inRange(sql`p.first_attempted_at`, scope)} ${entityIs(sql`p.entity`, scope)}
        group by 1 order by 2 desc, 1 limit ${limit}`,
  );
}

export interface ReconciliationRow extends Grouped {
  currency: string | null;
  kind: string | null;
  results: Num;
  breaks: Num;
  abs_variance: Num;
}

/**
 * Latest result per runId+key (the table keeps only that) whose periodEnd is in the range,
 * per currency, because variance in different currencies cannot be added.
 */
export function reconciliation(db: Db, scope: KpiScope, grouping: KpiGrouping, perKind = false) {
  const g = groupingSets(grouping, sql`r.period_end`, sql`r.entity`);
  const kind = perKind ? sql`r.kind` : sql`null::text`;
  return queryRows<ReconciliationRow>(
    db,
    sql`select ${g.columns}, r.currency, ${kind} as kind, count(*) as results,
          count(*) filter (where abs(r.actual_minor - r.expected_minor) > r.tolerance_minor) as breaks,
          -- As text: a sum past 2^53 is exact only as its digits (lib/contract ExactInteger).
          sum(abs(r.actual_minor - r.expected_minor))::text as abs_variance
        from reconciliation_results r
        where ${inRange(sql`r.period_end`, scope)} ${entityIs(sql`r.entity`, scope)}
        group by r.currency${perKind ? sql`, r.kind` : sql``}, ${g.groupBy} order by 1, 2, 3, 4`,
  );
}

/**
 * A payment's sync time: the stored first update − receipt, but 0 for an update made before
 * the payment was received (it had synced already; docs/kpis.md), never negative. Null
 * stays null (no update yet).
 */
export const syncMs = (stored: SQL) =>
  sql`(case when ${stored} < 0 then 0::float8 else ${stored} end)`;

/**
 * Payments with the first entitlement update that names them and their entity (the paid
 * invoice's, else the payment's own), from payment_syncs (kept by triggers,
 * db/schema/summaries.ts).
 */
export function paymentsInScope(): SQL {
  return sql`(
    select p.payment_id, p.customer_id, p.invoice_id, p.currency, p.amount_minor, s.received_at,
      s.entity, s.first_update_at, ${syncMs(sql`s.sync_ms`)} as sync_ms
    from payment_syncs s join payments p on p.payment_id = s.payment_id
  )`;
}

export interface PaymentSyncRow extends Grouped {
  payments: Num;
  synced: Num;
  p50: Num;
  p95: Num;
  overdue: Num;
}

/** Payment-to-entitlement sync per group, from payment_syncs' two covering indexes. */
export function paymentToEntitlement(
  db: Db,
  scope: KpiScope,
  grouping: KpiGrouping,
  overdueAfterMs: number,
  now: Date,
) {
  const source = { table: sql`payment_syncs x`, time: sql`x.received_at`, entity: sql`x.entity` };
  const limit = sql`make_interval(secs => ${overdueAfterMs / 1000})`;
  const aggregates = sql`count(*) as payments, count(x.first_update_at) as synced,
    ${percentiles(syncMs(sql`x.sync_ms`))},
    count(*) filter (where x.received_at + ${limit} <= ${now.toISOString()}::timestamptz
      and (x.first_update_at is null or x.first_update_at > x.received_at + ${limit})) as overdue`;
  return queryRows<PaymentSyncRow>(
    db,
    perGroupRanges(scope, grouping, source, aggregates, "payments"),
  );
}

/**
 * Human workflow actions in the audit log (sign-ins and admin work are not interventions).
 * An action's entity is the one its entry records, or for an action on an exception (whose
 * entries record only the status change) the exception's.
 */
export function manualInterventions(db: Db, scope: KpiScope, actionPrefixes: readonly string[]) {
  const patterns = actionPrefixes.map((p) => `${p}%`);
  return queryRows<{ count: Num }>(
    db,
    sql`select count(*) as count from audit_log a
        where a.actor_type = 'user' and ${inRange(sql`a.at`, scope)}
          and a.action like any (${sql.raw(`array[${patterns.map((p) => `'${p.replace(/'/g, "''")}'`).join(",")}]::text[]`)})
          ${
            scope.entity
              ? sql`and (a.after->>'entity' = ${scope.entity} or a.before->>'entity' = ${scope.entity}
            or exists (select 1 from exceptions x where a.target_type = 'exception' and x.id::text = a.target_id
              and x.entity = ${scope.entity}))`
              : sql``
          }`,
  );
}

export interface OpenExceptionsRow {
  type: string;
  open: Num;
  oldest_age_ms: Num;
  median_age_ms: Num;
}

/**
 * Exceptions still needing someone, now (not limited to the range), by type with their age:
 * count, oldest and median (percentile_cont(0.5)) age. Each type is read from its own range
 * of the open-exceptions index by type (by entity and type with an entity), which is in
 * opened_at order: the count and the oldest from the range, the median from the one or two
 * rows at its ranks, newest first (ages ascending), instead of sorting every open exception
 * per type (33 ms at 43,000 open, 2 CPUs).
 */
export async function openExceptions(db: Db, scope: KpiScope, now: Date) {
  const age = (openedAt: SQL) => millisBetween(sql`${now.toISOString()}::timestamptz`, openedAt);
  // The statuses as literals: the partial indexes' predicate, provable at planning time.
  const ofType = sql`x.status in ${OPEN_STATUS_SQL} and x.type = t.type ${entityIs(sql`x.entity`, scope)}`;
  // The ranks percentile_cont(0.5) interpolates between (interpolationRanks, in SQL).
  const position = sql`0.5 * (c.open - 1)::float8`;
  const rows = await queryRows<{
    type: string;
    open: Num;
    oldest_age_ms: Num;
    ages: (number | string)[];
  }>(
    db,
    sql`select t.type, c.open, ${age(sql`c.oldest`)} as oldest_age_ms, m.ages
        from unnest(${`{${EXCEPTION_TYPES.join(",")}}`}::text[]) as t(type)
        cross join lateral (
          select count(*) as open, min(x.opened_at) as oldest from exceptions x where ${ofType}
        ) c
        cross join lateral (
          select array_agg(r.age order by r.age) as ages from (
            select ${age(sql`x.opened_at`)} as age from exceptions x where ${ofType}
            order by x.opened_at desc
            offset floor(${position})::bigint
            limit (ceil(${position}) - floor(${position}) + 1)::bigint
          ) r
        ) m
        where c.open > 0
        order by t.type`,
  );
  return rows.map(({ ages, ...row }): OpenExceptionsRow => {
    const ranks = interpolationRanks(Number(row.open), 0.5);
    const low = Number(ages[0]);
    const high = Number(ages[ranks.hi - ranks.lo]);
    return { ...row, median_age_ms: interpolate(ranks, low, high) };
  });
}
