import "server-only";
import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";

/** Shared by every Closeline process: one batch's detection at a time (lib/exceptions/detect.ts). */
const DETECTION_LOCK_ID = 7_340_003;
/** A constant shared by every Closeline process, so only one of them sweeps at a time. */
const SWEEP_LOCK_ID = 7_340_002;

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
