import "server-only";
import type { Db } from "../client";
import { latestAppliedMigration, migrateSchema, migrationJournal } from "../migrate";

/** Brings the schema up to date: the migrations not yet applied, then db/sql (db/migrate.ts). */
export async function applyMigrations(db: Db): Promise<void> {
  await migrateSchema(db);
}

/**
 * How many of the folder's migrations the database is past. An install upgraded through the
 * squashed migrations records each of them but counts as having applied the baseline, whose
 * created_at it already holds.
 */
export async function appliedMigrationCount(db: Db): Promise<number> {
  const latest = await latestAppliedMigration(db);
  if (latest === null) return 0;
  return migrationJournal().filter((entry) => entry.when <= latest).length;
}

/** The migrations in the folder, in the order they apply. */
export function migrationTags(): string[] {
  return migrationJournal().map((entry) => entry.tag);
}
