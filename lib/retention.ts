import type { Db } from "@/db/client";
import { pruneCallerWrites } from "@/db/queries/caller-writes";
import { deleteEventBatch, deleteRejectedEventBatch } from "@/db/queries/retention";
import { pruneSignInAttempts } from "@/lib/auth/sign-in-throttle";

/*
 * Retention of raw telemetry: events received longer ago than the retention age
 * (CLOSELINE_RETENTION_DAYS, default 400) are deleted, with the projection rows derived from
 * them, and so are rejected events of that age.
 *
 * Without a long lock: the work is cut into batches of `batchSize` events, each one
 * statement and so one short transaction of its own. A batch locks only the rows it
 * deletes (row locks, taken with SKIP LOCKED so two app instances never wait on each
 * other), never the table: ingestion, which only inserts new rows, and the dashboard, which
 * reads under MVCC, go on meanwhile. Each projection table has an index on event_seq
 * (migration 0010), so a batch finds its projection rows, and PostgreSQL checks the foreign
 * keys, by index rather than by scanning the table.
 */

export const DEFAULT_RETENTION_DAYS = 400;
export const RETENTION_BATCH_SIZE = 10_000;
const DAY_MS = 86_400_000;

export interface RetentionOptions {
  now?: Date;
  maxAgeDays?: number;
  batchSize?: number;
  /** Pause between batches, leaving the database to other work. */
  pauseMs?: number;
}

export interface RetentionResult {
  cutoff: string;
  events: number;
  rejectedEvents: number;
  /** Sign-in attempts past their day of use for throttling (lib/auth/sign-in-throttle.ts). */
  signInAttempts: number;
  /** Read-your-writes markers past their use (lib/server/read-routing.ts). */
  callerWrites: number;
  batches: number;
}

export function retentionCutoff(now: Date, maxAgeDays: number): Date {
  if (!Number.isFinite(maxAgeDays) || maxAgeDays < 1) {
    throw new RangeError(`The retention age must be at least one day, got ${maxAgeDays}`);
  }
  return new Date(now.getTime() - maxAgeDays * DAY_MS);
}

/** Deletes everything older than the retention age, batch by batch, until nothing is left. */
export async function runRetention(
  db: Db,
  options: RetentionOptions = {},
): Promise<RetentionResult> {
  const cutoff = retentionCutoff(
    options.now ?? new Date(),
    options.maxAgeDays ?? DEFAULT_RETENTION_DAYS,
  );
  const batchSize = options.batchSize ?? RETENTION_BATCH_SIZE;
  const pause = () =>
    options.pauseMs ? new Promise((resolve) => setTimeout(resolve, options.pauseMs)) : null;
  const result: RetentionResult = {
    cutoff: cutoff.toISOString(),
    events: 0,
    rejectedEvents: 0,
    signInAttempts: 0,
    callerWrites: 0,
    batches: 0,
  };
  // Batch after batch, pausing between them, until one comes back short.
  const deleteAll = async (
    deleteBatch: (db: Db, cutoff: Date, limit: number) => Promise<number>,
  ) => {
    let total = 0;
    for (;;) {
      const deleted = await deleteBatch(db, cutoff, batchSize);
      total += deleted;
      if (deleted > 0) result.batches++;
      if (deleted < batchSize) return total;
      await pause();
    }
  };
  result.events = await deleteAll(deleteEventBatch);
  result.rejectedEvents = await deleteAll(deleteRejectedEventBatch);
  result.signInAttempts = await pruneSignInAttempts(db, options.now ?? new Date());
  // Expired by the clock, not the retention age: they matter for seconds after a write.
  result.callerWrites = await pruneCallerWrites(db);
  return result;
}

const RETENTION_INTERVAL_MS = DAY_MS;
/** The first run waits a little, so a starting server serves before it prunes. */
const FIRST_RUN_DELAY_MS = 60_000;

/**
 * Runs retention once a day in this server process (the first run a minute after start).
 * Errors are logged and tomorrow's run tries again. Two instances may both run it: each
 * batch skips rows the other has locked.
 */
export function startRetentionSchedule(db: Db, maxAgeDays: number): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const result = await runRetention(db, { maxAgeDays, pauseMs: 50 });
      if (result.events + result.rejectedEvents > 0) {
        console.log(
          `Retention: deleted ${result.events} events and ${result.rejectedEvents} rejected events received before ${result.cutoff}`,
        );
      }
    } catch (error) {
      console.error("Retention run failed; retrying tomorrow", error);
    } finally {
      running = false;
    }
  };
  const first = setTimeout(() => void tick(), FIRST_RUN_DELAY_MS);
  first.unref();
  const timer = setInterval(() => void tick(), RETENTION_INTERVAL_MS);
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
