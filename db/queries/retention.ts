import "server-only";
import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";

/** Tables whose rows are derived from one event each and reference it by event_seq. */
const PROJECTIONS = [
  "usage_checkpoints",
  "invoices",
  "invoice_disputes",
  "erp_posting_attempts",
  "payments",
  "entitlement_updates",
  "reconciliation_results",
  "contract_amendments",
  "correction_executions",
] as const;

/**
 * Deletes up to `batchSize` events received before `cutoff`, oldest first, and their
 * projection rows; returns how many events. Rows another transaction holds are skipped
 * (SKIP LOCKED), so two instances pruning at once never wait on each other.
 */
export async function deleteEventBatch(db: Db, cutoff: Date, batchSize: number): Promise<number> {
  // One statement: the projection rows and their events go together, and the foreign keys
  // (checked at the end of the statement) see both gone.
  const projections = PROJECTIONS.map(
    (table) =>
      sql`${sql.raw(`${table}_gone`)} as (delete from ${sql.raw(table)} where event_seq in (select seq from doomed)), `,
  );
  const [row] = await queryRows<{ deleted: string | number }>(
    db,
    sql`with doomed as (
          select seq from events where received_at < ${cutoff.toISOString()}::timestamptz
          order by received_at limit ${batchSize} for update skip locked),
        ${sql.join(projections, sql``)}
        gone as (delete from events where seq in (select seq from doomed) returning 1)
        select count(*) as deleted from gone`,
  );
  return Number(row?.deleted ?? 0);
}

/** Deletes up to `batchSize` rejected events received before `cutoff`; returns how many. */
export async function deleteRejectedEventBatch(
  db: Db,
  cutoff: Date,
  batchSize: number,
): Promise<number> {
  const [row] = await queryRows<{ deleted: string | number }>(
    db,
    sql`with doomed as (
          select id from rejected_events where received_at < ${cutoff.toISOString()}::timestamptz
          order by received_at limit ${batchSize} for update skip locked),
        gone as (delete from rejected_events where id in (select id from doomed) returning 1)
        select count(*) as deleted from gone`,
  );
  return Number(row?.deleted ?? 0);
}
