import "server-only";
import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import type { Db } from "./client";
import { queryRows } from "./rows";
import { syncSqlDefinitions } from "./sql-files";

/*
 * A database's schema comes from two places: the versioned migrations in db/migrations
 * (tables, columns, constraints, indexes, and every drop), applied once each by drizzle's
 * migrator, then the functions and triggers in db/sql, made equal to their files at every
 * start (db/sql-files.ts). docs/reliability.md ("Schema changes on a live install").
 */

export const MIGRATIONS_FOLDER = path.join(process.cwd(), "db", "migrations");

/**
 * The migrations up to this one were squashed into the baseline, which carries its `when`:
 * an install that reached it skips the baseline, a fresh one applies it, and one in between
 * has to reach it through a release that still ships the old migrations.
 */
export const LAST_MIGRATION_BEFORE_BASELINE = "0042_detection_queue";

export interface JournalEntry {
  tag: string;
  /** What drizzle records as the migration's created_at once applied. */
  when: number;
}

/** The migrations in the folder, in the order they apply. */
export function migrationJournal(): JournalEntry[] {
  const journal = JSON.parse(
    fs.readFileSync(path.join(MIGRATIONS_FOLDER, "meta", "_journal.json"), "utf8"),
  ) as { entries: JournalEntry[] };
  return journal.entries;
}

/** The created_at of the latest migration the database has applied, or null for a fresh one. */
export async function latestAppliedMigration(db: Db): Promise<number | null> {
  const [table] = await queryRows<{ exists: boolean }>(
    db,
    sql`select to_regclass('drizzle.__drizzle_migrations') is not null as "exists"`,
  );
  if (!table?.exists) return null;
  const [row] = await queryRows<{ latest: string | number | null }>(
    db,
    sql`select max(created_at) as latest from drizzle.__drizzle_migrations`,
  );
  return row?.latest == null ? null : Number(row.latest);
}

/**
 * Refuses an install part way through the squashed migrations: the baseline would be applied
 * over tables it already has. Nothing is changed before the refusal.
 */
export async function refuseInstallBehindBaseline(db: Db): Promise<void> {
  const [baseline] = migrationJournal();
  const latest = await latestAppliedMigration(db);
  if (!baseline || latest === null || latest >= baseline.when) return;
  throw new Error(
    `This database's schema predates migration ${LAST_MIGRATION_BEFORE_BASELINE}, the last one ` +
      `before this release's baseline (${baseline.tag}). Upgrade it with the previous release ` +
      `first, which applies the migrations up to ${LAST_MIGRATION_BEFORE_BASELINE}, then start ` +
      "this one. Nothing was changed.",
  );
}

/**
 * Brings a database's schema up to date: the migrations not yet applied, then the functions
 * and triggers of db/sql. drizzle's migrators for postgres.js and PGlite are the same code
 * (read the folder, then `db.dialect.migrate` on `db.session`), so one serves both engines.
 * The caller keeps two processes from doing it at once (db/client.ts).
 */
export async function migrateSchema(db: Db): Promise<void> {
  await applyVersionedMigrations(db);
  await syncSqlDefinitions(db);
}

/** The versioned migrations alone, db/sql left as it is (`npm run db:functions` needs that). */
export async function applyVersionedMigrations(db: Db): Promise<void> {
  await refuseInstallBehindBaseline(db);
  // `db` may be PGlite's. drizzle's postgres.js migrator only reads the folder and calls
  // `db.dialect.migrate(migrations, db.session)`, which a PGlite database has too (PGlite's
  // own migrator is that same code), so the cast changes the type and nothing else.
  // tests/db/migrate-pglite.test.ts runs this on PGlite, so a drizzle upgrade that breaks
  // the assumption fails there.
  await migrate(db as unknown as PostgresJsDatabase, { migrationsFolder: MIGRATIONS_FOLDER });
}
