import "server-only";
import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { migrate as runMigrations } from "drizzle-orm/postgres-js/migrator";
import type { Db } from "../client";
import { queryRows } from "../rows";

const MIGRATIONS_FOLDER = path.join(process.cwd(), "db", "migrations");

/**
 * Runs the migrations not yet applied. drizzle's migrators for postgres.js and PGlite are the
 * same code (read the folder, then `db.dialect.migrate` on `db.session`), so one serves both
 * engines.
 */
export async function applyMigrations(db: Db): Promise<void> {
  await runMigrations(db as unknown as PostgresJsDatabase, {
    migrationsFolder: MIGRATIONS_FOLDER,
  });
}

/** How many migrations drizzle has recorded as applied. */
export async function appliedMigrationCount(db: Db): Promise<number> {
  const [row] = await queryRows<{ count: string | number }>(
    db,
    sql`select count(*) as count from drizzle.__drizzle_migrations`,
  );
  return Number(row?.count ?? 0);
}

/** The migrations in the folder, in the order they apply. */
export function migrationTags(): string[] {
  const journal = JSON.parse(
    fs.readFileSync(path.join(MIGRATIONS_FOLDER, "meta", "_journal.json"), "utf8"),
  ) as { entries: { tag: string }[] };
  return journal.entries.map((e) => e.tag);
}
