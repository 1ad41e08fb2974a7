import { appliedMigrationCount, applyMigrations, migrationTags } from "@/db/queries/migrations";
import type { Command } from "./command";

/*
 * Opening a database already migrates it (db/client.ts); running the migrations and the
 * db/sql definitions again here is what brings the running app's embedded database up to date
 * when the command is executed inside the app. An install upgraded through the migrations the
 * baseline replaced counts the baseline as applied (db/queries/migrations.ts).
 */
const migrate: Command = {
  name: "migrate",
  summary: "Apply pending database migrations and exit",
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
