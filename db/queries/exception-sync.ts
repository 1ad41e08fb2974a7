import "server-only";
import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";
import { OPEN_STATUS_SQL } from "../schema";
import { detect, scopedRows, ts, type Scope } from "./exception-raise";

/*
 * Exceptions raised and closed from telemetry. Each detector is two pieces of SQL over the
 * projection tables, limited to a scope (the keys a batch touched, or everything for the
 * periodic sweep): the problems that hold now, and the problem keys that no longer hold.
 * Raising is an upsert on (type, problem_key), so a repeated or late event never makes a
 * second exception; a detector's raises, reopens and closes, and their audit entries as the
 * system, are one statement (./exception-raise.ts).
 */

const NO_IDS = sql`null::text as invoice_id, null::text as posting_id, null::text as payment_id,
  null::text as customer_id, null::text as run_id, null::text as contract_id`;

/** The postings of some invoices: an invoice arriving after its postings gives their exceptions an amount. */
export async function postingsOfInvoices(db: Db, invoiceIds: readonly string[]): Promise<string[]> {
  const rows = await queryRows<{ posting_id: string }>(
    db,
    sql`select distinct a.posting_id from ${scopedRows("erp_posting_attempts", "a", "invoice_id", invoiceIds)}`,
  );
  return rows.map((r) => r.posting_id);
}

/** erp_posting_failed: the latest attempt of a posting failed; closes when a later one succeeds. */
export async function syncPostingExceptions(db: Db, postingIds: Scope, now: Date) {
  const latest = sql`
    select distinct on (a.posting_id) a.posting_id, a.invoice_id, a.entity, a.status, a.attempt,
      a.error_code, a.error_message, a.attempted_at
    from ${scopedRows("erp_posting_attempts", "a", "posting_id", postingIds)}
    order by a.posting_id, a.attempt desc`;
  await detect(
    db,
    {
      scope: { rows: latest, inline: postingIds === null },
      problems: sql`select 'erp_posting_failed'::text as type, l.posting_id as problem_key,
          'ERP posting of ' || l.invoice_id || ' failed: ' || coalesce(l.error_code, 'unknown error') as title,
          l.entity, i.amount_minor, i.currency, l.invoice_id, l.posting_id, null::text as payment_id,
          i.customer_id, null::text as run_id, null::text as contract_id,
          jsonb_build_object('attempt', l.attempt, 'errorCode', l.error_code, 'errorMessage', l.error_message,
            'attemptedAt', l.attempted_at) as details, l.attempted_at as occurred_at
        from scope l left join invoices i on i.invoice_id = l.invoice_id
        where l.status = 'failed'`,
      resolved: {
        type: "erp_posting_failed",
        keys: sql`select l.posting_id as problem_key from scope l where l.status = 'succeeded'`,
        note: "A later posting attempt succeeded",
      },
    },
    now,
  );
}

/** invoice_disputed: one per disputed invoice; people resolve disputes, telemetry does not. */
export async function syncDisputeExceptions(db: Db, invoiceIds: Scope, now: Date) {
  await detect(
    db,
    {
      problems: sql`select 'invoice_disputed'::text as type, d.invoice_id as problem_key,
          'Invoice ' || d.invoice_id || ' disputed: ' || left(d.reason, 120) as title,
          i.entity, coalesce(d.amount_minor, i.amount_minor) as amount_minor, i.currency,
          d.invoice_id, null::text as posting_id, null::text as payment_id, i.customer_id,
          null::text as run_id, null::text as contract_id,
          jsonb_build_object('reason', d.reason, 'disputedAmountMinor', d.amount_minor, 'disputes', d.disputes) as details,
          d.event_time as occurred_at
        from (
          select distinct on (x.invoice_id) x.invoice_id, x.reason, x.amount_minor, x.event_time,
            count(*) over (partition by x.invoice_id) as disputes
          from ${scopedRows("invoice_disputes", "x", "invoice_id", invoiceIds)}
          order by x.invoice_id, x.event_time desc, x.event_id desc
        ) d left join invoices i on i.invoice_id = d.invoice_id`,
    },
    now,
  );
}

const reconKey = (alias: string) => sql.raw(`${alias}.run_id || '/' || ${alias}.key`);

export type RunKey = { runId: string; key: string };

/** reconciliation_break: the latest result for runId/key is outside tolerance; closes when one is within. */
export async function syncReconciliationExceptions(
  db: Db,
  runKeys: readonly RunKey[] | null,
  now: Date,
) {
  // Matched on the primary key columns, not on the problem-key text, so the index is used.
  const results =
    runKeys === null
      ? sql`select * from reconciliation_results`
      : sql`select r.* from jsonb_to_recordset(${JSON.stringify(runKeys)}::jsonb) as s("runId" text, key text)
            join reconciliation_results r on r.run_id = s."runId" and r.key = s.key`;
  await detect(
    db,
    {
      scope: { rows: results, inline: runKeys === null },
      problems: sql`select 'reconciliation_break'::text as type, ${reconKey("r")} as problem_key,
          'Reconciliation break ' || r.kind || ' ' || r.key || ' (' || r.entity || ')' as title,
          r.entity, abs(r.actual_minor - r.expected_minor) as amount_minor, r.currency,
          null::text as invoice_id, null::text as posting_id, null::text as payment_id,
          case when r.key like 'cus_%' then r.key end as customer_id, r.run_id, null::text as contract_id,
          jsonb_build_object('kind', r.kind, 'key', r.key, 'expectedMinor', r.expected_minor,
            'actualMinor', r.actual_minor, 'toleranceMinor', r.tolerance_minor,
            'periodStart', r.period_start, 'periodEnd', r.period_end) as details, r.event_time as occurred_at
        from scope r
        where abs(r.actual_minor - r.expected_minor) > r.tolerance_minor`,
      resolved: {
        type: "reconciliation_break",
        keys: sql`select ${reconKey("r")} as problem_key from scope r
          where abs(r.actual_minor - r.expected_minor) <= r.tolerance_minor`,
        note: "A later result for this run and key is within tolerance",
      },
    },
    now,
  );
}

/**
 * Corrected exceptions (reconciliation breaks, disputes, amendments): the target system's
 * `correction.executed` report about the exception's latest approved correction. Executed
 * closes the exception, whichever open status it is in; failed hands an exception that was
 * awaiting the confirmation back to people (open), who may propose another correction.
 */
export async function syncCorrectionExecutions(
  db: Db,
  correctionIds: readonly string[],
  now: Date,
): Promise<void> {
  if (correctionIds.length === 0) return;
  await db.execute(sql`
    with reported as (
      select distinct on (e.correction_id) e.correction_id, e.status, e.document_ref, e.error_message
      from correction_executions e
      where e.correction_id = any(array(select jsonb_array_elements_text(${JSON.stringify(correctionIds)}::jsonb)::uuid))
      order by e.correction_id, e.event_time desc, e.event_id desc
    ),
    -- Only the exception's latest approved correction speaks for it: a report about an older
    -- one (superseded after it failed) must not close or reopen it.
    latest as (
      select distinct on (c.exception_id) c.id, c.exception_id, c.kind, c.target_system
      from corrections c
      where c.status = 'approved'
        and c.exception_id in (select c2.exception_id from corrections c2 join reported r on r.correction_id = c2.id)
      order by c.exception_id, c.decided_at desc, c.id
    ),
    outcome as (
      select l.exception_id, r.status,
        initcap(replace(l.kind, '_', ' ')) || ' carried out by ' || l.target_system
          || coalesce(' (' || r.document_ref || ')', '') as done_note,
        'The ' || replace(l.kind, '_', ' ') || ' failed in ' || l.target_system || ': '
          || coalesce(r.error_message, 'no reason given') as failed_note
      from latest l join reported r on r.correction_id = l.id
    ),
    closed as (
      update exceptions x set status = 'resolved', closed_at = ${ts(now)}, closed_by = 'system',
        resolution_code = 'confirmed_by_telemetry', resolution_note = o.done_note,
        updated_at = ${ts(now)}, version = x.version + 1
      from outcome o
      where x.id = o.exception_id and o.status = 'executed' and x.status in ${OPEN_STATUS_SQL}
      returning x.id, x.type, x.entity, o.done_note as note
    ),
    handed_back as (
      update exceptions x set status = 'open', updated_at = ${ts(now)}, version = x.version + 1
      from outcome o
      where x.id = o.exception_id and o.status = 'failed' and x.status = 'awaiting_confirmation'
      returning x.id, x.type, x.entity, o.failed_note as note
    )
    insert into audit_log (at, actor_type, actor_label, action, target_type, target_id, before, after)
    select ${ts(now)}, 'system', 'closeline', 'exception.closed', 'exception', c.id::text, null::jsonb,
      jsonb_build_object('status', 'resolved', 'type', c.type, 'entity', c.entity, 'reason', c.note)
    from closed c
    union all
    select ${ts(now)}, 'system', 'closeline', 'exception.correction_failed', 'exception', h.id::text,
      jsonb_build_object('status', 'awaiting_confirmation'),
      jsonb_build_object('status', 'open', 'type', h.type, 'entity', h.entity, 'reason', h.note)
    from handed_back h`);
}

/**
 * retroactive_amendment: the amendment takes effect before the month it was made in, or in
 * a period marked closed (when accounting periods are recorded).
 */
export async function syncAmendmentExceptions(db: Db, contractIds: Scope, now: Date) {
  await detect(
    db,
    {
      problems: sql`select 'retroactive_amendment'::text as type, a.contract_id || '@' || a.event_id as problem_key,
          'Retroactive amendment of ' || a.contract_id || ' from ' || to_char(a.effective_from at time zone 'UTC', 'YYYY-MM-DD') as title,
          a.entity, a.amount_impact_minor as amount_minor, a.currency,
          null::text as invoice_id, null::text as posting_id, null::text as payment_id, a.customer_id,
          null::text as run_id, a.contract_id,
          jsonb_build_object('effectiveFrom', a.effective_from, 'amendedAt', a.amended_at,
            'amountImpactMinor', a.amount_impact_minor) as details, a.amended_at as occurred_at
        from ${scopedRows("contract_amendments", "a", "contract_id", contractIds)}
        where (a.effective_from < date_trunc('month', a.amended_at at time zone 'UTC') at time zone 'UTC'
            or exists (select 1 from accounting_periods ap
                       where ap.entity = a.entity and ap.closed_at is not null
                         and a.effective_from >= ap.period_start and a.effective_from < ap.period_end))`,
    },
    now,
  );
}

/**
 * For the periodic sweep: only records whose deadline (receivedAt or windowEnd plus the
 * grace) fell after `since`, found through the time index; and no closing, since time
 * passing never ends a problem (what does, a later event, is handled when it is ingested).
 */
export interface DueSince {
  since: Date;
}

/**
 * A payment a drain judges, and the moment its deadline is judged at when that is earlier
 * than the `now` the drain stamps its changes with: the receipt of the latest queued batch
 * that bore on it (lib/exceptions/detect.ts, mergeScopes). Without one, it is judged at `now`.
 */
export type JudgedPayment = { paymentId: string; detectAt?: string };

/** entitlement_out_of_sync: a payment with no entitlement update naming it after `afterMs`. */
export async function syncEntitlementExceptions(
  db: Db,
  judged: readonly JudgedPayment[] | null,
  now: Date,
  afterMs: number,
  due?: DueSince,
) {
  const limit = sql`make_interval(secs => ${afterMs / 1000})`;
  // A batch's payments each probe the updates' index ("offset 0" keeps the EXISTS a subplan
  // per payment): as a semi or anti join the planner hashed every entitlement update there
  // is, for the few dozen payments a batch names. The sweep, over all payments, keeps the join.
  const synced = sql`exists (select 1 from entitlement_updates u where u.payment_id = p.payment_id
    ${judged === null ? sql`` : sql`offset 0`})`;
  // Each payment is one probe of the primary key, as in scopedRows; the keys are distinct.
  const payments =
    judged === null
      ? sql`select * from payments`
      : sql`select p.*, s."detectAt" as judged_at
            from jsonb_to_recordset(${JSON.stringify(judged)}::jsonb) as s("paymentId" text, "detectAt" timestamptz)
            cross join lateral (select * from payments p where p.payment_id = s."paymentId" offset 0) p`;
  const judgedAt = judged === null ? ts(now) : sql`coalesce(p.judged_at, ${ts(now)})`;
  const dueAfter = due ? sql`and p.received_at > ${ts(due.since)} - ${limit}` : sql``;
  await detect(
    db,
    {
      scope: { rows: payments, inline: judged === null },
      problems: sql`select 'entitlement_out_of_sync'::text as type, p.payment_id as problem_key,
          'Payment ' || p.payment_id || ' has not reached entitlements' as title,
          i.entity, p.amount_minor, p.currency, p.invoice_id, null::text as posting_id, p.payment_id,
          p.customer_id, null::text as run_id, null::text as contract_id,
          jsonb_build_object('receivedAt', p.received_at) as details, p.received_at + ${limit} as occurred_at
        from scope p
          -- The invoice's entity, one probe of its key per payment (as for the updates above).
          left join lateral (select i.entity from invoices i where i.invoice_id = p.invoice_id offset 0) i on true
        where p.received_at <= ${judgedAt} - ${limit}
          ${dueAfter} and not ${synced}`,
      resolved: due
        ? undefined
        : {
            type: "entitlement_out_of_sync",
            keys: sql`select p.payment_id as problem_key from scope p where ${synced}`,
            note: "An entitlement update for the payment arrived",
          },
    },
    now,
  );
}

/**
 * An instant as key text: whole seconds as they always were ("…T10:00:00Z"), finer ones with
 * their fraction ("…T10:00:00.001Z"), so windows a millisecond apart never share a key.
 */
const instantKey = (column: string) =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') || case when date_trunc('second', ${column}) = ${column} then '' else rtrim(to_char(${column} at time zone 'UTC', '.US'), '0') end || 'Z'`;

const checkpointKey = sql.raw(
  `c.source || '|' || c.entity || '|' || c.meter || '|' || ${instantKey("c.window_start")} || '|' || ${instantKey("c.window_end")}`,
);

/** The UTC ISO form toISOString writes ("2026-11-01T10:00:00.000Z"), the milliseconds apart. */
const ISO_MILLIS = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{3})Z$/;

/** instantKey of an instant given as text, in JavaScript: the same text the SQL builds. */
function instantKeyOf(instant: string): string {
  const [, seconds, millis] =
    ISO_MILLIS.exec(instant) ?? ISO_MILLIS.exec(new Date(instant).toISOString())!;
  const fraction = millis!.replace(/0+$/, "");
  return `${seconds}${fraction ? `.${fraction}` : ""}Z`;
}

/**
 * checkpointKey of a window named by a batch, built here rather than in the statement: two
 * to_char calls per window were most of the cost of closing, for the many windows of a
 * batch that meet their target and have no exception to close. The window is found by
 * these very values, so its stored key and this text agree (tests/exceptions).
 */
function checkpointKeyOf(c: CheckpointRef): string {
  return [c.source, c.entity, c.meter, instantKeyOf(c.windowStart), instantKeyOf(c.windowEnd)].join(
    "|",
  );
}

export type CheckpointRef = {
  source: string;
  entity: string;
  meter: string;
  windowStart: string;
  windowEnd: string;
};

/** A usage window a drain judges, and the moment its grace period is judged at (as JudgedPayment). */
export type JudgedCheckpoint = CheckpointRef & { detectAt?: string };

/** usage_incomplete: a current checkpoint below target once its window is older than the grace period. */
export async function syncUsageExceptions(
  db: Db,
  checkpoints: readonly JudgedCheckpoint[] | null,
  now: Date,
  options: { graceMs: number; targetRatio: number },
  due?: DueSince,
) {
  // Driven from the batch's keys, so each is a primary-key lookup rather than a table scan:
  // "offset 0" plans the lookup with the key as a parameter. As a plain join the planner,
  // its statistics behind a table every batch grows, hashed the keys and read the whole table.
  // Each row carries its problem key; the sweep's, inline, only for the rows that need one.
  const scoped =
    checkpoints === null
      ? sql`select c.*, ${checkpointKey} as problem_key from usage_checkpoints c`
      : sql`select c.*, s."detectAt" as judged_at, s."problemKey" as problem_key
            from jsonb_to_recordset(${JSON.stringify(
              checkpoints.map((c) => ({ ...c, problemKey: checkpointKeyOf(c) })),
            )}::jsonb)
              as s(source text, entity text, meter text, "windowStart" timestamptz, "windowEnd" timestamptz,
                "detectAt" timestamptz, "problemKey" text)
            cross join lateral (
              select c.* from usage_checkpoints c
              where c.source = s.source and c.entity = s.entity and c.meter = s.meter
                and c.window_start = s."windowStart" and c.window_end = s."windowEnd"
              offset 0
            ) c`;
  const judgedAt = checkpoints === null ? ts(now) : sql`coalesce(c.judged_at, ${ts(now)})`;
  const grace = sql`make_interval(secs => ${options.graceMs / 1000})`;
  const below = sql`c.expected_count > 0 and c.received_count::numeric / c.expected_count < ${options.targetRatio}`;
  await detect(
    db,
    {
      scope: { rows: scoped, inline: checkpoints === null },
      problems: sql`select 'usage_incomplete'::text as type, c.problem_key,
          'Usage incomplete: ' || c.meter || ' ' || c.entity || ' ' || to_char(c.window_start at time zone 'UTC', 'YYYY-MM-DD HH24:MI') as title,
          c.entity, priced.amount_minor, case when priced.amount_minor is not null then c.price_currency end as currency,
          ${NO_IDS},
          jsonb_build_object('source', c.source, 'meter', c.meter, 'windowStart', c.window_start,
            'windowEnd', c.window_end, 'expectedCount', c.expected_count, 'receivedCount', c.received_count,
            'unitPrice', c.unit_price::text, 'priceCurrency', c.price_currency) as details,
          c.window_end + ${grace} as occurred_at
        from scope c
          -- The missing records at the meter's unit price, where the telemetry gives one, rounded
          -- half away from zero to a minor unit; otherwise (or past a bigint) unknown.
          cross join lateral (
            select case when abs(v) <= 9223372036854775807 then v::bigint end as amount_minor
            from (select round(greatest(c.expected_count - c.received_count, 0)::numeric * c.unit_price
              * power(10::numeric, closeline_currency_digits(c.price_currency))) as v) missing
          ) priced
        where c.window_end <= ${judgedAt} - ${grace} and ${below}
          ${due ? sql`and c.window_end > ${ts(due.since)} - ${grace}` : sql``}`,
      resolved: due
        ? undefined
        : {
            type: "usage_incomplete",
            keys: sql`select c.problem_key from scope c where not (${below})`,
            note: "A later checkpoint for the window meets the target",
          },
    },
    now,
  );
}

export interface RejectionGroup {
  source: string;
  reason: string;
  count: number;
  lastEventId: string | null;
}

/** event_rejected: one exception per source and reason, counting occurrences. */
export async function recordRejectionGroups(db: Db, groups: RejectionGroup[], now: Date) {
  if (groups.length === 0) return;
  // A group the system closed once all its events were replayed or dismissed
  // (lib/exceptions/rejected-events.ts) reopens when the same source and reason recur.
  await db.execute(sql`
    with g as (
      select * from jsonb_to_recordset(${JSON.stringify(groups)}::jsonb) as g(source text, reason text)
    ),
    reopened as (
      update exceptions x set status = 'open', closed_at = null, closed_by = null, resolution_code = null,
        resolution_note = null, updated_at = ${ts(now)}, version = x.version + 1
      from g where x.type = 'event_rejected' and x.problem_key = g.source || '|' || g.reason and x.closed_by = 'system'
      returning x.id
    )
    insert into audit_log (at, actor_type, actor_label, action, target_type, target_id, after)
    select ${ts(now)}, 'system', 'closeline', 'exception.reopened', 'exception', r.id::text,
      jsonb_build_object('status', 'open', 'type', 'event_rejected')
    from reopened r`);
  await db.execute(sql`
    with g as (
      select * from jsonb_to_recordset(${JSON.stringify(groups)}::jsonb)
        as g(source text, reason text, count int, "lastEventId" text)
    ),
    raised as (
      insert into exceptions (type, problem_key, title, details, severity, opened_at, updated_at)
      select 'event_rejected', g.source || '|' || g.reason,
        'Rejected events from ' || g.source || ': ' || left(g.reason, 120),
        jsonb_build_object('source', g.source, 'reason', g.reason, 'count', g.count, 'lastEventId', g."lastEventId",
          'lastSeenAt', ${ts(now)}),
        'medium', ${ts(now)}, ${ts(now)}
      from g order by 2
      on conflict (type, problem_key) do update set
        details = exceptions.details || jsonb_build_object(
          'count', coalesce((exceptions.details->>'count')::int, 0) + (excluded.details->>'count')::int,
          'lastEventId', excluded.details->'lastEventId', 'lastSeenAt', excluded.details->'lastSeenAt'),
        updated_at = excluded.updated_at, version = exceptions.version + 1
      returning id, (xmax = 0) as created
    )
    insert into audit_log (at, actor_type, actor_label, action, target_type, target_id, after)
    select ${ts(now)}, 'system', 'closeline', 'exception.raised', 'exception', r.id::text,
      jsonb_build_object('status', 'open', 'type', 'event_rejected')
    from raised r where r.created`);
}

/** Age raises severity: refresh it for exceptions still open. */
export async function refreshSeverities(db: Db, now: Date) {
  await db.execute(sql`
    update exceptions x set severity = closeline_severity(x.amount_minor, x.currency, x.opened_at, ${ts(now)})
    where x.status in ${OPEN_STATUS_SQL} and x.type <> 'event_rejected'
      and x.severity <> closeline_severity(x.amount_minor, x.currency, x.opened_at, ${ts(now)})`);
}
