import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  readDefinitionFiles,
  REGENERATE_COMMAND,
  renderDefinitionFiles,
  SQL_DEFINITIONS_DIR,
} from "@/db/sql-files";
import { createTestDb, type TestDb } from "../support/db";

/*
 * db/sql/ must hold each function's and each table's triggers' definition exactly as the
 * migrations leave them, so a function is read (and blamed) in one file rather than by
 * replaying the migrations. PGlite renders them exactly as PostgreSQL does, so the files are
 * checked on both engines.
 */

/** What a file describes, in words for the failure message. */
function describeFile(file: string): string {
  const name = path.basename(file, ".sql");
  return file.startsWith("functions/") ? `function ${name}` : `the triggers on table ${name}`;
}

describe("db/sql: the current functions and triggers", () => {
  let testDb: TestDb;
  let rendered: Map<string, string>;
  let onDisk: Map<string, string>;

  beforeAll(async () => {
    testDb = await createTestDb();
    rendered = await renderDefinitionFiles(testDb.db);
    onDisk = readDefinitionFiles(path.resolve(SQL_DEFINITIONS_DIR));
  });
  afterAll(async () => {
    await testDb?.close();
  });

  it("finds the migrations' functions and triggers", () => {
    const keys = [...rendered.keys()];
    expect(keys.some((file) => file.startsWith("functions/"))).toBe(true);
    expect(keys.some((file) => file.startsWith("triggers/"))).toBe(true);
  });

  it("has a file equal to every function and every table's triggers", () => {
    for (const [file, definition] of rendered) {
      const problem = onDisk.has(file)
        ? `${SQL_DEFINITIONS_DIR}/${file} is not ${describeFile(file)} as the migrations define it`
        : `${SQL_DEFINITIONS_DIR}/${file} is missing for ${describeFile(file)}`;
      expect
        .soft(onDisk.get(file), `${problem}: run \`${REGENERATE_COMMAND}\` and commit the file`)
        .toBe(definition);
    }
  });

  it("has no file for a function or table the migrations no longer define", () => {
    const stale = [...onDisk.keys()].filter((file) => !rendered.has(file));
    expect(
      stale.map((file) => `${SQL_DEFINITIONS_DIR}/${file}`),
      `no such ${stale.map(describeFile).join(", ")} after the migrations:` +
        ` run \`${REGENERATE_COMMAND}\` to remove the file`,
    ).toEqual([]);
  });
});
