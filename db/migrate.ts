import "server-only";
import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { readMigrationFiles } from "drizzle-orm/migrator";
import type { Db } from "./client";
import { queryRows } from "./rows";
import { syncSqlDefinitions } from "./sql-files";

/*
 * A database's schema comes from two places: the versioned migrations in db/migrations
 * (tables, columns, constraints, indexes, and every drop), applied once each, then the
 * functions and triggers in db/sql, made equal to their files at every start
 * (db/sql-files.ts), both in one transaction. docs/reliability.md ("Schema changes on a live
 * install").
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
 * and triggers of db/sql, in one transaction. A migration that changes what a trigger writes
 * (a new table it keeps, a function it no longer calls) therefore never leaves a moment in
 * which ingestion runs against half of the change, and needs none of db/sql's text: the files
 * are applied right after it, before anything commits (db/sql/README.md). The caller keeps
 * two processes from doing it at once (db/client.ts).
 */
export async function migrateSchema(db: Db): Promise<void> {
  await refuseInstallBehindBaseline(db);
  await db.transaction(async (tx) => {
    await applyPendingMigrations(tx);
    await syncSqlDefinitions(tx);
  });
}

/** The versioned migrations alone, db/sql left as it is (`npm run db:functions` needs that). */
export async function applyVersionedMigrations(db: Db): Promise<void> {
  await refuseInstallBehindBaseline(db);
  await db.transaction((tx) => applyPendingMigrations(tx));
}

/**
 * drizzle's migrator, in a transaction of ours so that db/sql can follow in it: the same
 * folder read by drizzle's own reader, each migration newer than the latest applied run
 * statement by statement and recorded in drizzle's table as drizzle records it (its file's
 * sha256 and its journal `when`), so an install migrated by either is the same to the other.
 */
async function applyPendingMigrations(tx: Db): Promise<void> {
  await tx.execute(sql`create schema if not exists drizzle`);
  await tx.execute(sql`create table if not exists drizzle.__drizzle_migrations (
    id serial primary key, hash text not null, created_at bigint)`);
  const latest = await latestAppliedMigration(tx);
  for (const migration of readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER })) {
    if (latest !== null && migration.folderMillis <= latest) continue;
    for (const statement of migration.sql) await tx.execute(sql.raw(statement));
    await tx.execute(sql`insert into drizzle.__drizzle_migrations (hash, created_at)
      values (${migration.hash}, ${migration.folderMillis})`);
  }
}
