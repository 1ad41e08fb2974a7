import "server-only";
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";
import {
  EXCEPTION_STATUSES,
  EXCEPTION_TYPES,
  OPEN_EXCEPTION_STATUSES,
  type ExceptionStatus,
  type ExceptionType,
} from "../schema";
import {
  REPORTING_COLUMNS,
  isoText,
  toListRow,
  type ExceptionKey,
  type ExceptionListRow,
  type RawListRow,
} from "./exception-rows";

/*
 * The exception queues: filtered, sorted lists with keyset pagination and their counts. What
 * one row of them is lives in ./exception-rows.ts; one exception with its owner, comments and
 * assignees is in ./exception-detail.ts, its timeline in ./exception-timeline.ts.
 *
 * Every order is a keyset on (sort key, opened_at, id): the tie-breakers make it total, so
 * paging forward and back never shows a row twice or skips one, however many rows share a
 * severity or an amount. Each order over open items has a partial index in
 * db/schema/exceptions.ts, so the first page and a page deep into 100,000 open items are
 * both an index range scan of one page.
 */

export const EXCEPTION_SORTS = ["opened_at", "severity", "amount", "reporting_amount"] as const;
export type ExceptionSort = (typeof EXCEPTION_SORTS)[number];
export type SortDirection = "asc" | "desc";

export type OwnerFilter = { kind: "user"; id: string } | { kind: "unassigned" };

export interface ExceptionFilters {
  type?: ExceptionType | null;
  entity?: string | null;
  /** Empty or absent: the statuses that still need someone (open, in progress, awaiting approval). */
  statuses?: readonly ExceptionStatus[] | null;
  owner?: OwnerFilter | null;
  /** Only exceptions opened at least this long before `now`. */
  minAgeMs?: number | null;
  /** Bounds on the amount's size in major units of its currency (see closeline_amount_size). */
  minAmount?: number | null;
  maxAmount?: number | null;
  /**
   * Bounds on the amount at risk in the reporting currency, in its minor units, on its size
   * (|amount|): they leave out exceptions with no converted amount (unknown or no rate).
   */
  minReportingMinor?: number | null;
  maxReportingMinor?: number | null;
  /** A word of the title, or an exact id (exception, invoice, posting, payment, customer, run, contract, problem key). */
  search?: string | null;
  /** Only these exceptions (a set another rule chose, e.g. those blocking a close); empty: none. */
  ids?: readonly string[] | null;
}

export interface ListExceptionsParams extends ExceptionFilters {
  sort?: ExceptionSort;
  /** Default: oldest first for opened_at, most severe first, largest amount first. */
  direction?: SortDirection;
  after?: ExceptionKey | null;
  before?: ExceptionKey | null;
  limit: number;
  /** The moment ages are measured from. */
  now?: Date;
}

export interface ExceptionPage {
  rows: ExceptionListRow[];
  /** Where the next page starts, or null on the last page. */
  next: ExceptionKey | null;
  /** Where the previous page ends, or null on the first page. */
  previous: ExceptionKey | null;
}

export const DEFAULT_DIRECTION: Record<ExceptionSort, SortDirection> = {
  opened_at: "asc",
  severity: "desc",
  amount: "desc",
  reporting_amount: "desc",
};

/**
 * The size of the amount at risk in the reporting currency, -1 when there is none: the
 * expression of exceptions_open_reporting_amount_idx, so sort, filter and keyset all use it.
 */
const REPORTING_SIZE = sql`coalesce(abs(x.reporting_amount_minor), -1)`;

/** The sort column as SQL; the same expressions as the partial indexes. */
const SORT_EXPRESSION: Record<ExceptionSort, SQL | null> = {
  opened_at: null,
  severity: sql`closeline_severity_order(x.severity)`,
  amount: sql`closeline_amount_size(x.amount_minor, x.currency)`,
  reporting_amount: REPORTING_SIZE,
};
const SORT_CAST: Record<ExceptionSort, SQL> = {
  opened_at: sql``,
  severity: sql`::int`,
  amount: sql`::numeric`,
  reporting_amount: sql`::bigint`,
};

/**
 * Whether the direction the user asked for is ascending on the key tuple. Severity order is
 * 0 for critical, so "most severe first" is ascending — and within a severity the oldest
 * comes first, which is what a queue wants. Amount "largest first" is descending throughout.
 */
function ascendingTuple(sort: ExceptionSort, direction: SortDirection): boolean {
  return sort === "severity" ? direction === "desc" : direction === "asc";
}

const statusLiteral = new Map(EXCEPTION_STATUSES.map((s) => [s, `'${s}'`]));

/**
 * The status list as literals, not parameters: a parameter would hide from the planner that
 * `status in ('open')` implies the partial indexes' predicate, and it would scan instead.
 */
function statusCondition(statuses: readonly ExceptionStatus[] | null | undefined): SQL {
  const list = statuses && statuses.length > 0 ? statuses : OPEN_EXCEPTION_STATUSES;
  const literals = [...new Set(list)].map((s) => {
    const literal = statusLiteral.get(s);
    if (!literal) throw new Error(`unknown exception status ${String(s)}`);
    return literal;
  });
  return sql.raw(`x.status in (${literals.join(", ")})`);
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function filterConditions(f: ExceptionFilters, now: Date): SQL[] {
  const where: SQL[] = [statusCondition(f.statuses)];
  if (f.type) where.push(sql`x.type = ${f.type}`);
  if (f.entity) where.push(sql`x.entity = ${f.entity}`);
  if (f.owner?.kind === "user") where.push(sql`x.owner_id = ${f.owner.id}::uuid`);
  if (f.owner?.kind === "unassigned") where.push(sql`x.owner_id is null`);
  if (f.minAgeMs != null && f.minAgeMs > 0) {
    where.push(
      sql`x.opened_at <= ${new Date(now.getTime() - f.minAgeMs).toISOString()}::timestamptz`,
    );
  }
  // Bounds on the amount leave out exceptions without one (their size is -1).
  if (f.minAmount != null)
    where.push(
      sql`closeline_amount_size(x.amount_minor, x.currency) >= ${String(f.minAmount)}::numeric`,
    );
  if (f.maxAmount != null) {
    where.push(
      sql`closeline_amount_size(x.amount_minor, x.currency) between 0 and ${String(f.maxAmount)}::numeric`,
    );
  }
  if (f.minReportingMinor != null)
    where.push(sql`${REPORTING_SIZE} >= ${String(f.minReportingMinor)}::bigint`);
  if (f.maxReportingMinor != null)
    where.push(sql`${REPORTING_SIZE} between 0 and ${String(f.maxReportingMinor)}::bigint`);
  if (f.ids) {
    where.push(
      f.ids.length === 0
        ? sql`false`
        : sql`x.id in (select (jsonb_array_elements_text(${JSON.stringify(f.ids)}::jsonb))::uuid)`,
    );
  }
  const search = f.search?.trim();
  if (search) {
    where.push(sql`(x.title ilike ${`%${escapeLike(search)}%`}
      or x.id::text = ${search} or x.problem_key = ${search} or x.invoice_id = ${search}
      or x.posting_id = ${search} or x.payment_id = ${search} or x.customer_id = ${search}
      or x.run_id = ${search} or x.contract_id = ${search})`);
  }
  return where;
}

function keyTuple(sort: ExceptionSort): SQL {
  const expression = SORT_EXPRESSION[sort];
  return expression ? sql`(${expression}, x.opened_at, x.id)` : sql`(x.opened_at, x.id)`;
}

function keyValue(sort: ExceptionSort, key: ExceptionKey): SQL {
  const openedAt = sql`${key.openedAt}::timestamptz`;
  const id = sql`${key.id}::uuid`;
  if (!SORT_EXPRESSION[sort]) return sql`(${openedAt}, ${id})`;
  if (key.sortKey === null) throw new Error(`a ${sort} cursor needs its sort key`);
  return sql`(${key.sortKey}${SORT_CAST[sort]}, ${openedAt}, ${id})`;
}

/** The order a page is read in: its keyset tuple's direction, and whether it walks backwards. */
function pageOrder(params: ListExceptionsParams) {
  const sort = params.sort ?? "opened_at";
  const direction = params.direction ?? DEFAULT_DIRECTION[sort];
  const backwards = !!params.before;
  // Reading backwards walks the same order the other way.
  return { sort, backwards, ascending: ascendingTuple(sort, direction) !== backwards };
}

/** The statement that reads one page (exported so a test can EXPLAIN it). */
export function listExceptionsQuery(params: ListExceptionsParams): SQL {
  if (params.after && params.before)
    throw new Error("a page starts after a row or ends before one, not both");
  const { sort, ascending } = pageOrder(params);
  const now = params.now ?? new Date();
  const where = filterConditions(params, now);
  const start = params.after ?? params.before;
  if (start)
    where.push(sql`${keyTuple(sort)} ${sql.raw(ascending ? ">" : "<")} ${keyValue(sort, start)}`);
  const dir = sql.raw(ascending ? "asc" : "desc");
  const sortExpression = SORT_EXPRESSION[sort];
  const order = sortExpression
    ? sql`${sortExpression} ${dir}, x.opened_at ${dir}, x.id ${dir}`
    : sql`x.opened_at ${dir}, x.id ${dir}`;
  return sql`select x.id, x.type, x.status, x.severity, x.title, x.entity, x.amount_minor, x.currency,
          x.owner_id, u.email as owner_email, u.name as owner_name, x.opened_at, x.updated_at, x.closed_at,
          x.resolution_code, x.version, x.invoice_id, x.posting_id, x.payment_id, x.customer_id, x.run_id,
          x.contract_id, ${REPORTING_COLUMNS},
          ${sortExpression ? sql`${sortExpression}::text` : sql`null::text`} as sort_key,
          ${isoText("x.opened_at")} as opened_at_key
        from exceptions x left join users u on u.id = x.owner_id
        where ${sql.join(where, sql` and `)}
        order by ${order}
        limit ${params.limit + 1}`;
}

/**
 * One page of exceptions. With `after`, the page that follows that row; with `before`, the
 * page that precedes it (read backwards, returned in display order); with neither, the first.
 */
export async function listExceptions(db: Db, params: ListExceptionsParams): Promise<ExceptionPage> {
  const { backwards } = pageOrder(params);
  const raw = await queryRows<RawListRow>(db, listExceptionsQuery(params));
  const more = raw.length > params.limit;
  const rows = raw.slice(0, params.limit).map(toListRow);
  if (backwards) rows.reverse();
  const first = rows[0]?.key ?? null;
  const last = rows.at(-1)?.key ?? null;
  return backwards
    ? { rows, previous: more ? first : null, next: last }
    : { rows, previous: params.after ? first : null, next: more ? last : null };
}

export interface CappedCount {
  count: number;
  /** True when there are more than `count` (the cap). */
  capped: boolean;
}

/** A count read with `limit cap + 1`: more than the cap reads as the cap, marked capped. */
function cappedCount(counted: number, cap: number): CappedCount {
  return { count: Math.min(counted, cap), capped: counted > cap };
}

/** How many exceptions match, counting no further than `cap` (a queue says "10,000+", not the exact figure). */
export async function countExceptions(
  db: Db,
  filters: ExceptionFilters,
  options: { cap: number; now?: Date },
): Promise<CappedCount> {
  const where = filterConditions(filters, options.now ?? new Date());
  const [row] = await queryRows<{ count: string | number }>(
    db,
    sql`select count(*) as count from (
          select 1 from exceptions x where ${sql.join(where, sql` and `)} limit ${options.cap + 1}
        ) matching`,
  );
  return cappedCount(Number(row?.count ?? 0), options.cap);
}

/**
 * Matching exceptions per type, for the queue's tabs: every filter applies except the type
 * itself. Each type is counted no further than `cap`, through its own index range (the
 * ORDER BY steers the planner to exceptions_open_type_idx rather than a scan that stops at
 * `cap` matches only when there are that many), so the tabs cost about cap × types index
 * entries however long the queues grow.
 */
export async function countExceptionsByType(
  db: Db,
  filters: ExceptionFilters,
  options: { cap: number; now?: Date },
): Promise<Record<ExceptionType, CappedCount>> {
  const where = filterConditions({ ...filters, type: null }, options.now ?? new Date());
  const rows = await queryRows<{ type: ExceptionType; count: string | number }>(
    db,
    sql`select t.type, (
          select count(*) from (
            select 1 from exceptions x where x.type = t.type and ${sql.join(where, sql` and `)}
            order by x.opened_at limit ${options.cap + 1}
          ) matching
        ) as count
        from jsonb_array_elements_text(${JSON.stringify(EXCEPTION_TYPES)}::jsonb) as t(type)`,
  );
  const counts = Object.fromEntries(
    EXCEPTION_TYPES.map((type) => [type, { count: 0, capped: false }]),
  ) as Record<ExceptionType, CappedCount>;
  for (const r of rows) counts[r.type] = cappedCount(Number(r.count), options.cap);
  return counts;
}

/** The entities that have an exception still needing someone, by name (optionally just one). */
export async function listEntitiesWithOpenExceptions(
  db: Db,
  entity: string | null = null,
): Promise<string[]> {
  const rows = await queryRows<{ entity: string }>(
    db,
    sql`select distinct x.entity from exceptions x
        where ${statusCondition(null)} and x.entity is not null
          ${entity ? sql`and x.entity = ${entity}` : sql``}
        order by x.entity`,
  );
  return rows.map((r) => r.entity);
}
