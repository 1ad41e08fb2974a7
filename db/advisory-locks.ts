import "server-only";

/*
 * Every PostgreSQL advisory lock Closeline takes, in one list. Each key must be the same in
 * every process (that is what makes it exclude across instances) and different from every
 * other: two kinds of work sharing a key exclude each other for no reason, and can deadlock
 * (a concurrent index build holding a key waits for old transactions to end, while a
 * transaction waits for that key). A key in use by a released version is never renumbered:
 * during a rolling upgrade old and new processes must still meet on it.
 *
 * These are the one-key (bigint) locks. The sign-in throttle uses the two-key form, a space
 * of its own, with SIGN_IN_LOCK_CLASS as the first key.
 */
export const ADVISORY_LOCKS = {
  /** Migrations and the db/sql definitions: one process brings the schema up at a time. */
  migration: 7_340_001,
  /** The exception sweep: one instance sweeps; another skips its round. */
  sweep: 7_340_002,
  /**
   * The rollup triggers (the literal in db/sql/functions, which cannot import this): taken
   * shared by a batch's triggers, so batches do not exclude one another, and exclusive by
   * whatever rewrites the rollups wholesale (a truncate's clear, a rebuild).
   */
  rollups: 7_340_003,
  /** Exception detection: one drain of the queue or sweep pass at a time. */
  detection: 7_340_004,
  /**
   * The first key of the rollup shards' two-key locks: a transaction adds its rollup counts to
   * rows of one shard, the first no other open transaction holds, so concurrent batches never
   * update the same row (the literal in db/sql/functions).
   */
  rollupShards: 7_340_006,
  /**
   * The first key of the summary refreshes' two-key locks, one per summarised business key,
   * so two batches refresh one key's summary one after the other (the literal in db/sql).
   * Second key 0 is the summaries' own lock: shared by every refresh that locks by key,
   * exclusive by one with too many keys to lock one by one.
   */
  summaryKeys: 7_340_007,
  /** The indexes built after the migrations (db/concurrent-indexes.ts). */
  indexBuild: 7_340_005,
  /** Webhook endpoint changes, so the one-per-kind rule holds. */
  webhookEndpoints: 7_340_101,
  /** Alert evaluation: one instance evaluates; another skips its round. */
  alertEvaluation: 7_340_150,
  /** Digest scheduling: one instance schedules; another skips its round. */
  digestScheduling: 7_340_160,
} as const;

/** The first key of the sign-in throttle's two-key locks (the second hashes account or client). */
export const SIGN_IN_LOCK_CLASS = 7_340_002;
