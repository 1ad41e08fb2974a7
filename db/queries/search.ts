import "server-only";
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";

/*
 * Finding a record by its id or a prefix of it, one query per kind, each a range over an
 * existing btree index whose leading column is the id (`id >= q and id < q || U+10FFFF`),
 * so a prefix reads a few index entries however large the table. starts_with() then keeps
 * exact prefixes only: under a database collation other than C the range may hold others.
 * Exceptions and incidents are found by a uuid range, events by their sequence number (exact)
 * or their CloudEvent id (a prefix, through events_event_id_idx).
 * Each kind keeps the order of its own query within its part of the answer.
 */

export interface SearchRow {
  id: string;
  /** What the title is made of, per kind. */
  a: string | null;
  b: string | null;
  c: string | null;
}

/** The condition that `column` starts with `q`, in a form the btree index on it can serve. */
const prefixOf = (column: SQL, q: string) =>
  sql`${column} >= ${q} and ${column} < ${q} || chr(1114111) and starts_with(${column}, ${q})`;

type Lookup = (q: string, limit: number) => SQL;

/** A kind found by a prefix of its text id: `from` aliased, and each part of the row. */
interface PrefixLookup {
  from: string;
  id: string;
  a: string;
  b: string;
  c: string;
  /** Where the table holds several rows per id: the order whose first row stands for it. */
  firstBy?: string;
}

/** The rows whose id starts with `q`, by id, one per id. */
const byIdPrefix =
  ({ from, id, a, b, c, firstBy }: PrefixLookup): Lookup =>
  (q, limit) => {
    const key = sql.raw(id);
    const select = firstBy
      ? sql`select distinct on (${key}) ${key} as id`
      : sql`select ${key} as id`;
    const order = firstBy ? sql`${key}, ${sql.raw(firstBy)}` : key;
    return sql`
    ${select}, ${sql.raw(a)} as a, ${sql.raw(b)} as b, ${sql.raw(c)} as c
    from ${sql.raw(from)} where ${prefixOf(key, q)} order by ${order} limit ${limit}`;
  };

/**
 * The rows (aliased `x`, keyed by a uuid `id`) whose id starts with `q`, by id; none when `q`
 * cannot start a uuid.
 */
const byUuidPrefix =
  ({ from, a, b, c }: Omit<PrefixLookup, "id" | "firstBy">): Lookup =>
  (q, limit) => {
    const range = uuidRange(q);
    if (!range)
      return sql`select null::text as id, null::text as a, null::text as b, null::text as c where false`;
    return sql`
      select x.id::text as id, ${sql.raw(a)} as a, ${sql.raw(b)} as b, ${sql.raw(c)} as c
      from ${sql.raw(from)} where x.id >= ${range.low}::uuid and x.id <= ${range.high}::uuid
      order by x.id limit ${limit}`;
  };

/** The queries per kind, exported so a test can EXPLAIN each one. */
export const SEARCH_QUERIES = {
  customer: (q, limit) => sql`
    select c.id, null::text as a, null::text as b, null::text as c from (
      (select distinct i.customer_id as id from invoices i
        where ${prefixOf(sql`i.customer_id`, q)} order by 1 limit ${limit})
      union
      (select distinct u.customer_id as id from entitlement_updates u
        where ${prefixOf(sql`u.customer_id`, q)} order by 1 limit ${limit})
    ) c order by c.id limit ${limit}`,
  invoice: byIdPrefix({
    from: "invoices i",
    id: "i.invoice_id",
    a: "i.customer_id",
    b: "i.entity",
    c: "i.amount_minor::text || ' ' || i.currency",
  }),
  posting: byIdPrefix({
    from: "erp_posting_attempts a",
    id: "a.posting_id",
    a: "a.invoice_id",
    b: "a.entity",
    c: "null::text",
    firstBy: "a.attempt",
  }),
  payment: byIdPrefix({
    from: "payments p",
    id: "p.payment_id",
    a: "p.customer_id",
    b: "p.invoice_id",
    c: "p.amount_minor::text || ' ' || p.currency",
  }),
  contract: byIdPrefix({
    from: "contract_amendments m",
    id: "m.contract_id",
    a: "m.customer_id",
    b: "m.entity",
    c: "null::text",
    firstBy: "m.amended_at desc",
  }),
  reconciliation_run: byIdPrefix({
    from: "reconciliation_results r",
    id: "r.run_id",
    a: "r.kind",
    b: "r.entity",
    c: "r.event_seq::text",
    firstBy: "r.key",
  }),
  exception: byUuidPrefix({ from: "exceptions x", a: "x.title", b: "x.status", c: "x.type" }),
  incident: byUuidPrefix({ from: "incidents x", a: "x.title", b: "x.kind", c: "null::text" }),
  // By its number (exact), or by its CloudEvent id or a prefix of it, whatever its source.
  event: (q, limit) => {
    const byId = sql`(select e.seq::text as id, e.type as a, e.source as b, e.event_id as c
        from events e where ${prefixOf(sql`e.event_id`, q)} order by e.event_id, e.seq limit ${limit})`;
    if (!/^\d{1,15}$/.test(q)) return byId;
    return sql`
      select s.* from (
        (select e.seq::text as id, e.type as a, e.source as b, e.event_id as c
          from events e where e.seq = ${Number(q)} limit 1)
        union ${byId}
      ) s limit ${limit}`;
  },
} satisfies Record<string, Lookup>;

export type SearchQueryKind = keyof typeof SEARCH_QUERIES;

const UUID_SHAPE = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

/** The uuids starting with `q` (a prefix of the canonical form) as an inclusive range. */
export function uuidRange(q: string): { low: string; high: string } | null {
  const prefix = q.toLowerCase();
  if (prefix.length === 0 || prefix.length > UUID_SHAPE.length) return null;
  for (let i = 0; i < prefix.length; i++) {
    const ok = UUID_SHAPE[i] === "-" ? prefix[i] === "-" : /[0-9a-f]/.test(prefix[i]!);
    if (!ok) return null;
  }
  const rest = UUID_SHAPE.slice(prefix.length);
  return {
    low: prefix + rest.replace(/x/g, "0"),
    high: prefix + rest.replace(/x/g, "f"),
  };
}

/**
 * Every kind's matches in one statement (one round trip instead of eight), in the order of
 * `kinds`, each kind's own query and limit unchanged inside it.
 */
export function searchStatement(kinds: readonly SearchQueryKind[], q: string, limit: number): SQL {
  const parts = kinds.map(
    (kind, order) =>
      sql`select ${kind}::text as kind, ${order}::int as kind_order, s.* from (${SEARCH_QUERIES[kind](q, limit)}) s`,
  );
  return sql`select kind, id, a, b, c from (${sql.join(parts, sql` union all `)}) r order by kind_order, id`;
}

export function searchAll(
  db: Db,
  kinds: readonly SearchQueryKind[],
  q: string,
  limit: number,
): Promise<(SearchRow & { kind: SearchQueryKind })[]> {
  return queryRows(db, searchStatement(kinds, q, limit));
}
