import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { InvalidInput } from "@/lib/errors";
import type { Db } from "../client";
import { queryRows } from "../rows";

/*
 * A list of records paged by a keyset on (sort key, unique id), so rows arriving meanwhile
 * neither repeat nor vanish between pages, and counted or summed over the very rows it lists.
 * A list is a declaration (`KeysetList`): its columns, its source, which rows and in what order.
 */

/** The position after the last row of a page: its sort key and id, both as PostgreSQL text. */
export interface DrilldownCursor {
  k: string;
  id: string;
}

export interface DrilldownPage<T> {
  rows: T[];
  next: DrilldownCursor | null;
}

type SortType = "float8" | "timestamptz" | "numeric";
type IdType = "bigint" | "text" | "uuid";

/** The order of a list: its sort key, then a unique id to break ties, each with its SQL type. */
export interface Keyset {
  sort: [key: SQL, type: SortType];
  id: [key: SQL, type: IdType];
  order: "asc" | "desc";
}

/**
 * One list: `Filter` is what chooses its rows (a KPI's range, entity, view…), the same for
 * the list, its count and its summary; `Params`, what its columns need besides.
 */
export interface KeysetList<Filter, Params extends Filter = Filter> {
  keyset: Keyset;
  /** The columns of a row; the keyset's own are added. */
  columns: (params: Params) => SQL;
  /** The table or subquery, with its alias, that the rows come from (also when counted). */
  from: SQL;
  /** Joins only the listed rows need, for their columns or the keyset. */
  joins?: SQL;
  where: (filter: Filter) => SQL;
}

export interface PageRequest {
  cursor?: DrilldownCursor | null;
  limit: number;
}

/** What PostgreSQL prints for each key type; a cursor edited into anything else is refused. */
const KEY_TEXT: Record<SortType | IdType, RegExp> = {
  float8: /^(-?\d+(\.\d+)?(e[-+]?\d+)?|-?Infinity)$/,
  timestamptz: /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:\d{2})?|Z)$/,
  numeric: /^-?\d+(\.\d+)?$/,
  bigint: /^\d{1,19}$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  text: /^[\s\S]{1,200}$/,
};

/** `and (sort, id) < (cursor)` for the rows after the cursor in the keyset's order. */
function afterCursor(
  { sort: [sort, sortType], id: [id, idType], order }: Keyset,
  cursor: DrilldownCursor | null | undefined,
): SQL {
  if (!cursor) return sql``;
  const valid =
    KEY_TEXT[sortType].test(cursor.k) &&
    KEY_TEXT[idType].test(cursor.id) &&
    (sortType !== "timestamptz" ||
      !Number.isNaN(Date.parse(cursor.k.replace(" ", "T").replace(/([+-]\d{2})$/, "$1:00"))));
  if (!valid) {
    throw new InvalidInput("cursor: is not a position in this list");
  }
  const after = sql`${cursor.k}::${sql.raw(sortType)}`;
  const afterId = sql`${cursor.id}::${sql.raw(idType)}`;
  return order === "desc"
    ? sql`and (${sort}, ${id}) < (${after}, ${afterId})`
    : sql`and (${sort}, ${id}) > (${after}, ${afterId})`;
}

function orderBy({ sort: [sort], id: [id], order }: Keyset): SQL {
  const dir = sql.raw(order);
  return sql`order by ${sort} ${dir}, ${id} ${dir}`;
}

/** One page of the list after `params.cursor`: `limit + 1` rows are read to know if more follow. */
export async function listPage<Row, Filter, Params extends Filter = Filter>(
  db: Db,
  list: KeysetList<Filter, Params>,
  params: Params & PageRequest,
): Promise<DrilldownPage<Row>> {
  const { keyset } = list;
  const { limit } = params;
  const rows = await queryRows<Row & { sort_key: string; row_id: string }>(
    db,
    sql`select ${list.columns(params)}, ${keyset.sort[0]}::text as sort_key, ${keyset.id[0]}::text as row_id
        from ${list.from} ${list.joins ?? sql``}
        where ${list.where(params)} ${afterCursor(keyset, params.cursor)}
        ${orderBy(keyset)} limit ${limit + 1}`,
  );
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    rows: page.map(({ sort_key: _k, row_id: _id, ...row }) => row as Row),
    next: rows.length > limit && last ? { k: last.sort_key, id: last.row_id } : null,
  };
}

/** How many rows the list holds. */
export async function countRows<Filter, Params extends Filter = Filter>(
  db: Db,
  list: KeysetList<Filter, Params>,
  filter: Filter,
): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from ${list.from} where ${list.where(filter)}`,
  );
  return row?.n ?? 0;
}

/** Aggregates over the list's rows (`groupBy`: a GROUP BY and ORDER BY after them). */
export function summarizeRows<Summary, Filter, Params extends Filter = Filter>(
  db: Db,
  list: KeysetList<Filter, Params>,
  filter: Filter,
  aggregates: SQL,
  groupBy: SQL = sql``,
): Promise<Summary[]> {
  return queryRows<Summary>(
    db,
    sql`select ${aggregates} from ${list.from} where ${list.where(filter)} ${groupBy}`,
  );
}
