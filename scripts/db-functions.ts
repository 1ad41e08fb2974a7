/**
 * `npm run db:functions`: puts db/sql/ in PostgreSQL's own rendering. It migrates a fresh
 * database, executes every file of db/sql in it, reads the definitions back and rewrites each
 * file the database renders differently (db/sql/README.md). The app applies these files at
 * every start and refuses one that is not in this rendering, since it would differ from the
 * database for ever; tests/db/functions-files.test.ts fails on such a file too.
 *
 * The database is a fresh one on the PostgreSQL server of CLOSELINE_TEST_PG (default the local
 * one), or an in-memory PGlite with CLOSELINE_TEST_DB=pglite, which needs no server and
 * renders the same definitions.
 */
import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import type { Db } from "@/db/client";
import { applyVersionedMigrations } from "@/db/migrate";
import {
  applyDefinitionFiles,
  readDefinitionFiles,
  renderDefinitionFiles,
  SQL_DEFINITIONS_DIR,
} from "@/db/sql-files";
import { createEmptyDatabase, TEST_ENGINE } from "@/tests/support/fresh-db";

/** The files as a fresh database renders them once the migrations and the files are applied. */
async function renderAfterApplying(files: Map<string, string>): Promise<Map<string, string>> {
  const render = async (db: Db) => {
    await applyVersionedMigrations(db);
    await db.transaction((tx) => applyDefinitionFiles(tx, files));
    return renderDefinitionFiles(db);
  };
  if (TEST_ENGINE === "pglite") {
    const client = await PGlite.create();
    return render(drizzlePglite({ client }) as unknown as Db).finally(() => client.close());
  }
  const database = await createEmptyDatabase();
  const client = postgres(database.url, { max: 1, onnotice: () => {} });
  return render(drizzlePostgres({ client }) as unknown as Db).finally(async () => {
    await client.end();
    await database.drop();
  });
}

async function main(): Promise<void> {
  const root = path.resolve(SQL_DEFINITIONS_DIR);
  const existing = readDefinitionFiles(root);
  const rendered = await renderAfterApplying(existing);

  for (const [file, content] of rendered) {
    if (existing.get(file) === content) continue;
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), content);
    // A function no file defines was made by a migration: from now on its file is its home.
    console.log(`${existing.has(file) ? "Rewrote" : "Created"} ${SQL_DEFINITIONS_DIR}/${file}`);
  }
  console.log(`${SQL_DEFINITIONS_DIR}/ holds ${rendered.size} files, as PostgreSQL renders them`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
