import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { OPEN_STATUS_SQL, type ExceptionType } from "../schema";
import type { Db } from "../client";

/*
 * How a detector's SQL (./exception-sync.ts) becomes exceptions: `detect` upserts the
 * problems that hold (reopening those the system had closed) and closes those whose problem
 * is gone, writing its audit entries as the system in the same statement.
 */

/** Key lists travel as one JSON parameter; `null` means "no restriction" (the sweep). */
export type Scope = readonly string[] | null;

export const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;

/**
 * The rows of `table` (named `alias`) whose `column` holds one of the scope's keys, as a FROM
 * item; for the sweep's null scope, the whole table. Each distinct key is a probe of the
 * column's index of its own ("offset 0" plans the lookup with the key as a parameter).
 * Filtered with `column = any(keys)` instead, the planner, its statistics behind a table
 * every batch grows, read the whole table and compared every row with every key: 3,879
 * posting attempts against 225 keys, 28 ms of a batch's detection, three times over.
 */
export function scopedRows(table: string, alias: string, column: string, scope: Scope): SQL {
  const named = sql.raw(`${table} ${alias}`);
  if (scope === null) return named;
  const as = sql.raw(alias);
  return sql`(select ${as}.* from (select distinct jsonb_array_elements_text(${JSON.stringify(scope)}::jsonb) as key) scope
    cross join lateral (select * from ${named} where ${sql.raw(`${alias}.${column}`)} = scope.key offset 0) ${as}) ${as}`;
}

/**
 * One detector's pass over its scope, as one statement. `problems` yields the problems that
 * hold (the columns below); `resolved`, the problem keys of `type` that no longer hold. Both
 * may read `scope`, the rows of the detector's keys (`rows`), which a batch's detection
 * evaluates once for both (each key's probes and its JSON parsed once, not per statement)
 * and the sweep reads inline, so its time filters reach the table's indexes.
 */
export interface Detection {
  scope?: { rows: SQL; inline: boolean };
  problems: SQL;
  resolved?: { type: ExceptionType; keys: SQL; note: string };
}

/**
 * Upserts the problems that hold (reopening those the system had closed) and closes the
 * open exceptions whose problem is gone, each with its audit entry as the system, in one
 * statement: each statement costs about a millisecond of parsing and planning before it
 * reads a row, and one statement reads the detector's scope once.
 *
 * `problems` yields type, problem_key, title, entity, amount_minor, currency, invoice_id,
 * posting_id, payment_id, customer_id, run_id, contract_id, details, occurred_at. An
 * exception is opened at the time its problem occurred (not when a late batch happened to
 * bring it), so its age and SLA are the problem's.
 *
 * Every part sees the snapshot the statement started with, and no row may be written twice
 * in it (PostgreSQL, "Data-Modifying Statements in WITH"): so a problem the reopen reopens
 * is left out of the upsert (the reopen writes what the upsert would have), and a detector's
 * problems and resolved keys must never share a key (each detector's are disjoint by
 * their conditions: a status, a tolerance, a target, an entitlement, held or not).
 */
export async function detect(db: Db, detection: Detection, now: Date): Promise<void> {
  const { scope, problems, resolved } = detection;
  const at = ts(now);
  const scopeCte = scope
    ? sql`scope as ${sql.raw(scope.inline ? "not materialized" : "materialized")} (${scope.rows}),`
    : sql``;
  const closing = resolved
    ? sql`,
    resolved as materialized (${resolved.keys}),
    closed as (
      update exceptions x set status = 'resolved', closed_at = ${at}, closed_by = 'system',
        resolution_code = 'confirmed_by_telemetry', resolution_note = ${resolved.note}, updated_at = ${at},
        version = x.version + 1
      -- Each resolved key is looked up on its own in exceptions_problem_key. Matched with
      -- "in (select ...)" the planner, short of statistics on a fresh table, compared every
      -- open exception of the type with every key, and each batch was slower than the last.
      -- "offset 0" keeps the lookup a subquery of its own, planned with the key as a
      -- parameter, so it is a probe of the unique index: pulled up into the join, the planner
      -- (its statistics behind a table every batch grows) estimated one key, scanned the
      -- type's exceptions for each key and filtered (85,000 rows for 467 keys in one batch).
      from resolved k
        cross join lateral (
          select e.id from exceptions e where e.type = ${resolved.type} and e.problem_key = k.problem_key
          offset 0
        ) m
      where x.id = m.id and x.status in ${OPEN_STATUS_SQL}
      returning x.id, x.entity
    )`
    : sql``;
  const closedAudit = resolved
    ? sql`
    union all
    select ${at}, 'system', 'closeline', 'exception.closed', 'exception', c.id::text,
      jsonb_build_object('status', 'resolved', 'type', ${resolved.type}::text, 'entity', c.entity,
        'reason', ${resolved.note}::text)
    from closed c`
    : sql``;
  await db.execute(sql`
    with ${scopeCte}
    problems as materialized (
      select p.*, e.id as exception_id, e.closed_by as was_closed_by,
        -- A problem its exception already states as it is (the DO UPDATE's condition below
        -- false) is left out of the upsert: it would change nothing for it, yet would first
        -- run the row's severity and its BEFORE INSERT trigger (a conversion at the rate of
        -- its day). A batch's scope brings back every still-failing posting and short window
        -- of its keys, most of them unchanged.
        coalesce(e.details is not distinct from p.details and e.amount_minor is not distinct from p.amount_minor,
          false) as unchanged
      from (${problems}) p
        -- Its exception as the statement found it: one probe of exceptions_problem_key per
        -- problem, whatever the statistics ("offset 0", as for the resolved keys below).
        left join lateral (
          select e.id, e.closed_by, e.details, e.amount_minor from exceptions e
          where e.type = p.type and e.problem_key = p.problem_key
          offset 0
        ) e on true
    ),
    -- A problem the system had closed (say, a posting that succeeded) that holds again
    -- reopens, stated as it is now; one a person resolved or dismissed stays as they left it.
    reopened as (
      update exceptions x set status = 'open', closed_at = null, closed_by = null, resolution_code = null,
        resolution_note = null, title = p.title, entity = p.entity, amount_minor = p.amount_minor,
        currency = p.currency, details = p.details, updated_at = ${at}, version = x.version + 1
      from problems p
      where x.id = p.exception_id and p.was_closed_by = 'system' and x.closed_by = 'system'
      returning x.id, x.type, x.entity
    ),
    raised as (
      insert into exceptions (type, problem_key, title, entity, amount_minor, currency, invoice_id, posting_id,
        payment_id, customer_id, run_id, contract_id, details, severity, opened_at, updated_at)
      select p.type, p.problem_key, p.title, p.entity, p.amount_minor, p.currency, p.invoice_id, p.posting_id,
        p.payment_id, p.customer_id, p.run_id, p.contract_id, p.details,
        closeline_severity(p.amount_minor, p.currency, least(p.occurred_at, ${at}), ${at}),
        least(p.occurred_at, ${at}), ${at}
      from problems p
      where not p.unchanged and not exists (select 1 from reopened r where r.id = p.exception_id)
      order by p.type, p.problem_key
      on conflict (type, problem_key) do update set
        title = excluded.title, entity = excluded.entity, amount_minor = excluded.amount_minor,
        currency = excluded.currency, details = excluded.details, updated_at = excluded.updated_at,
        version = exceptions.version + 1
      where exceptions.details is distinct from excluded.details
        or exceptions.amount_minor is distinct from excluded.amount_minor
      returning id, type, entity, (xmax = 0) as created
    )${closing}
    insert into audit_log (at, actor_type, actor_label, action, target_type, target_id, after)
    select ${at}, 'system', 'closeline', 'exception.reopened', 'exception', r.id::text,
      jsonb_build_object('status', 'open', 'type', r.type, 'entity', r.entity)
    from reopened r
    union all
    select ${at}, 'system', 'closeline', 'exception.raised', 'exception', r.id::text,
      jsonb_build_object('status', 'open', 'type', r.type, 'entity', r.entity)
    from raised r where r.created${closedAudit}`);
}
