import "server-only";
import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";
import { ADVISORY_LOCKS } from "../advisory-locks";

/**
 * Shared by every Closeline process: one detection pass (a drain of the queue, or a sweep)
 * at a time (lib/exceptions/detect.ts). Not the rollup triggers' lock (ADVISORY_LOCKS.rollups): detection
 * runs after the ingestion transaction has committed, so it has no need to exclude one.
 */
const DETECTION_LOCK_ID = ADVISORY_LOCKS.detection;
/** Shared by every Closeline process, so only one of them sweeps at a time. */
const SWEEP_LOCK_ID = ADVISORY_LOCKS.sweep;

/** Waits for the detection lock, held until the transaction ends. */
export async function lockDetection(tx: Db): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${DETECTION_LOCK_ID})`);
}

/**
 * Takes a process-wide lock until the transaction ends, or answers false when another holds
 * it: how background work runs in one instance at a time without queueing behind it.
 */
export async function tryTransactionLock(tx: Db, lockId: number): Promise<boolean> {
  const [lock] = await queryRows<{ locked: boolean }>(
    tx,
    sql`select pg_try_advisory_xact_lock(${lockId}) as locked`,
  );
  return lock?.locked === true;
}

/** Takes the sweep lock until the transaction ends, or answers false when another holds it. */
export async function tryLockSweep(tx: Db): Promise<boolean> {
  return tryTransactionLock(tx, SWEEP_LOCK_ID);
}

/** Queues a batch's detection; call in the transaction that stores the batch. */
export async function queueDetection(tx: Db, scope: unknown, detectAt: Date): Promise<void> {
  await tx.execute(sql`
    insert into detection_queue (detect_at, scope)
    values (${detectAt.toISOString()}::timestamptz, ${JSON.stringify(scope)}::jsonb)`);
}

/**
 * Takes every queued detection (removed when the transaction commits), oldest first. Call
 * under the detection lock: rows queued by batches that commit later are left to them.
 */
export async function takeQueuedDetections(
  tx: Db,
): Promise<{ id: number; detectAt: Date; scope: unknown }[]> {
  const rows = await queryRows<{ id: string | number; detect_at: Date | string; scope: unknown }>(
    tx,
    sql`delete from detection_queue returning id, detect_at, scope`,
  );
  return rows
    .map((r) => ({
      id: Number(r.id),
      detectAt: new Date(r.detect_at),
      scope: typeof r.scope === "string" ? (JSON.parse(r.scope) as unknown) : r.scope,
    }))
    .sort((a, b) => a.id - b.id);
}

/** Whether any batch waits for its detection, without waiting for the lock. */
export async function detectionQueued(db: Db): Promise<boolean> {
  const [row] = await queryRows<{ queued: boolean }>(
    db,
    sql`select exists (select 1 from detection_queue) as queued`,
  );
  return row?.queued === true;
}
