import { sql, type SQL } from "drizzle-orm";

/*
 * What the close-readiness queries share (db/queries/close-*.ts; lib/close/readiness.ts
 * decides what they mean). Every query is for one entity and one accounting period [start, end).
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

/** Statuses in which an exception is finished with; anything else still needs someone. */
export const CLOSED_EXCEPTION = sql`('resolved', 'dismissed')`;
