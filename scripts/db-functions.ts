/**
 * `npm run db:functions`: migrates a fresh database and writes db/sql/ from it: each
 * function's and each table's triggers' current definition (db/sql/README.md). Run it after
 * writing a migration that changes a function or trigger; tests/db/functions-files.test.ts
 * fails until the files match the migrations.
 *
 * The database is made the way the tests make theirs (tests/support/db.ts): a fresh one on
 * the PostgreSQL server of CLOSELINE_TEST_PG (default the local one), or an in-memory PGlite
 * with CLOSELINE_TEST_DB=pglite, which needs no server and renders the same definitions.
 */
import fs from "node:fs";
import path from "node:path";
import { readDefinitionFiles, renderDefinitionFiles, SQL_DEFINITIONS_DIR } from "@/db/sql-files";
import { createTestDb } from "@/tests/support/fresh-db";

async function main(): Promise<void> {
  const database = await createTestDb();
  const rendered = await renderDefinitionFiles(database.db).finally(() => database.close());
  const root = path.resolve(SQL_DEFINITIONS_DIR);
  const existing = readDefinitionFiles(root);

  for (const [file, content] of rendered) {
    if (existing.get(file) === content) continue;
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), content);
    console.log(`${existing.has(file) ? "Updated" : "Created"} ${SQL_DEFINITIONS_DIR}/${file}`);
  }
  // A function or every trigger of a table the migrations dropped leaves no file behind.
  for (const file of existing.keys()) {
    if (rendered.has(file)) continue;
    fs.rmSync(path.join(root, file));
    console.log(`Removed ${SQL_DEFINITIONS_DIR}/${file}`);
  }
  console.log(`${SQL_DEFINITIONS_DIR}/ holds ${rendered.size} files, as the migrations leave them`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
