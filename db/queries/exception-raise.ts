import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { OPEN_STATUS_SQL, type ExceptionType } from "../schema";
import type { Db } from "../client";
import { queryRows } from "../rows";

/*
 * How a detector's SQL (./exception-sync.ts) becomes exceptions: `raise` upserts the problems
 * that hold (reopening those the system had closed), `close` closes those whose problem is
 * gone; each writes its audit entries as the system in the same statement.
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
 * The columns every `problems` query yields: type, problem_key, title, entity, amount_minor,
 * currency, invoice_id, posting_id, payment_id, customer_id, run_id, contract_id, details,
 * occurred_at. An exception is opened at the time its problem occurred (not when a late
 * batch happened to bring it), so its age and SLA are the problem's.
 */
export async function raise(db: Db, problems: SQL, now: Date): Promise<number> {
  // A problem the system had closed (say, a posting that succeeded) that holds again reopens;
  // one a person resolved or dismissed stays as they left it.
  await db.execute(sql`
    with problems as (${problems}),
    reopened as (
      update exceptions x set status = 'open', closed_at = null, closed_by = null, resolution_code = null,
        resolution_note = null, details = p.details, updated_at = ${ts(now)}, version = x.version + 1
      -- Each problem is looked up on its own in exceptions_problem_key, as in close() below.
      from problems p
        cross join lateral (
          select e.id from exceptions e where e.type = p.type and e.problem_key = p.problem_key
          offset 0
        ) m
      where x.id = m.id and x.closed_by = 'system'
      returning x.id, x.type, x.entity
    )
    insert into audit_log (at, actor_type, actor_label, action, target_type, target_id, after)
    select ${ts(now)}, 'system', 'closeline', 'exception.reopened', 'exception', r.id::text,
      jsonb_build_object('status', 'open', 'type', r.type, 'entity', r.entity)
    from reopened r`);
  const rows = await queryRows<{ id: string }>(
    db,
    sql`
    with problems as (${problems}),
    raised as (
      insert into exceptions (type, problem_key, title, entity, amount_minor, currency, invoice_id, posting_id,
        payment_id, customer_id, run_id, contract_id, details, severity, opened_at, updated_at)
      select p.type, p.problem_key, p.title, p.entity, p.amount_minor, p.currency, p.invoice_id, p.posting_id,
        p.payment_id, p.customer_id, p.run_id, p.contract_id, p.details,
        closeline_severity(p.amount_minor, p.currency, least(p.occurred_at, ${ts(now)}), ${ts(now)}),
        least(p.occurred_at, ${ts(now)}), ${ts(now)}
      from problems p
      -- A problem its exception already states as it is (the DO UPDATE's condition below
      -- false) is left out before the insert: the upsert would change nothing for it, yet
      -- would first run the row's severity and its BEFORE INSERT trigger (a conversion at the
      -- rate of its day). A batch's scope brings back every still-failing posting and short
      -- window of its keys, most of them unchanged. A subquery per problem, so each is one
      -- probe of exceptions_problem_key whatever the statistics.
      where not coalesce((
        select e.details is not distinct from p.details and e.amount_minor is not distinct from p.amount_minor
        from exceptions e where e.type = p.type and e.problem_key = p.problem_key), false)
      order by p.type, p.problem_key
      on conflict (type, problem_key) do update set
        title = excluded.title, entity = excluded.entity, amount_minor = excluded.amount_minor,
        currency = excluded.currency, details = excluded.details, updated_at = excluded.updated_at,
        version = exceptions.version + 1
      where exceptions.details is distinct from excluded.details
        or exceptions.amount_minor is distinct from excluded.amount_minor
      returning id, type, entity, (xmax = 0) as created
    ),
    audited as (
      insert into audit_log (at, actor_type, actor_label, action, target_type, target_id, after)
      select ${ts(now)}, 'system', 'closeline', 'exception.raised', 'exception', r.id::text,
        jsonb_build_object('status', 'open', 'type', r.type, 'entity', r.entity)
      from raised r where r.created
    )
    select id from raised`,
  );
  return rows.length;
}

/** Closes the open exceptions of `type` whose problem keys `resolvedKeys` yields. */
export async function close(
  db: Db,
  type: ExceptionType,
  resolvedKeys: SQL,
  note: string,
  now: Date,
): Promise<number> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`
    with resolved as materialized (${resolvedKeys}),
    closed as (
      update exceptions x set status = 'resolved', closed_at = ${ts(now)}, closed_by = 'system',
        resolution_code = 'confirmed_by_telemetry', resolution_note = ${note}, updated_at = ${ts(now)},
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
          select e.id from exceptions e where e.type = ${type} and e.problem_key = k.problem_key
          offset 0
        ) m
      where x.id = m.id and x.status in ${OPEN_STATUS_SQL}
      returning x.id, x.entity
    ),
    audited as (
      insert into audit_log (at, actor_type, actor_label, action, target_type, target_id, after)
      select ${ts(now)}, 'system', 'closeline', 'exception.closed', 'exception', c.id::text,
        jsonb_build_object('status', 'resolved', 'type', ${type}::text, 'entity', c.entity, 'reason', ${note}::text)
      from closed c
    )
    select id from closed`,
  );
  return rows.length;
}
