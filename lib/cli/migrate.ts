import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { migrate as runMigrations } from "drizzle-orm/postgres-js/migrator";
import type { Db } from "@/db/client";
import type { Command } from "./command";

const MIGRATIONS_FOLDER = path.join(process.cwd(), "db", "migrations");

/**
 * Opening a database already migrates it (db/client.ts); running the migrator again here is
 * what brings the running app's embedded database up to date when the command is executed
 * inside the app. drizzle's migrators for postgres.js and PGlite are the same code (read the
 * folder, then `db.dialect.migrate` on `db.session`), so one serves both engines.
 */
async function applyMigrations(db: Db): Promise<void> {
  await runMigrations(db as unknown as PostgresJsDatabase, {
    migrationsFolder: MIGRATIONS_FOLDER,
  });
}

async function appliedMigrationCount(db: Db): Promise<number> {
  const result = await db.execute<{ count: string | number }>(
    sql`select count(*) as count from drizzle.__drizzle_migrations`,
  );
  // postgres.js returns the rows as an array, PGlite as `{ rows }`.
  const rows = Array.isArray(result) ? result : (result as { rows: { count: unknown }[] }).rows;
  return Number(rows[0]?.count ?? 0);
}

function migrationTags(): string[] {
  const journal = JSON.parse(
    fs.readFileSync(path.join(MIGRATIONS_FOLDER, "meta", "_journal.json"), "utf8"),
  ) as { entries: { tag: string }[] };
  return journal.entries.map((e) => e.tag);
}

const migrate: Command = {
  name: "migrate",
  usage: "",
  summary: "Apply pending database migrations and exit",
  options: {},
  async run({ getDb, out }) {
    const db = await getDb();
    await applyMigrations(db);
    const applied = await appliedMigrationCount(db);
    const tags = migrationTags();
    out.line(
      `The database schema is up to date: ${applied} of ${tags.length} migrations applied, the latest ${tags[applied - 1] ?? "none"}.`,
    );
  },
};

export const migrateCommands = [migrate];
