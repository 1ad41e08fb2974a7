import "server-only";
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";

/*
 * The accounting period of a close: its scope and how things fall in it, and the currencies an
 * entity has money in. The SQL of the readiness checks is in ./close-usage.ts,
 * ./close-invoices.ts and ./close-pending-work.ts, the periods marked closed in
 * ./close-periods.ts, the materiality thresholds in ./materiality.ts (lib/close/ decides what
 * it means). Every query is for one entity and one accounting period [start, end).
 *
 * Two kinds of time are compared with the period differently:
 * - an instant (an invoice's issuedAt, an amendment's effectiveFrom) is in the period when
 *   start <= t < end;
 * - the end of a span (a usage window's windowEnd, a reconciliation result's periodEnd) is in the
 *   period when start < t <= end: October's last hourly window ends at 1 November 00:00 and
 *   October's reconciliation has periodEnd 1 November 00:00, and both belong to October's close.
 *
 * Money stays in integer minor units and is only ever compared within one currency.
 */

export interface CloseScope {
  entity: string;
  start: Date;
  end: Date;
}

export type Num = string | number | null;
/** A count as a number; none (null) is 0. */
export const n = (v: Num): number => (v === null ? 0 : Number(v));
/** A sum of counts, exact past 2^53: the database's integer digits as a bigint. */
export const big = (v: Num): bigint => (v === null ? 0n : BigInt(String(v)));
export const iso = (v: Date | string): string =>
  (v instanceof Date ? v : new Date(v)).toISOString();
export const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;

export const instantIn = (column: SQL, s: CloseScope) =>
  sql`${column} >= ${ts(s.start)} and ${column} < ${ts(s.end)}`;
export const spanEndIn = (column: SQL, s: CloseScope) =>
  sql`${column} > ${ts(s.start)} and ${column} <= ${ts(s.end)}`;

/** Currencies the entity has money in, so materiality can be set for each. */
export async function entityCurrencies(db: Db, entity: string): Promise<string[]> {
  const rows = await queryRows<{ currency: string }>(
    db,
    sql`select currency from (
          select distinct currency from invoices where entity = ${entity}
          union select distinct currency from reconciliation_results where entity = ${entity}
          union select distinct currency from contract_amendments where entity = ${entity}
          union select currency from materiality_thresholds where entity = ${entity}
          -- A threshold in the reporting currency covers every currency without its own.
          union select closeline_reporting_currency()
        ) c order by currency`,
  );
  return rows.map((r) => r.currency);
}
