import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listTriggerDefinitions } from "@/db/queries/catalog";
import { queryRows } from "@/db/rows";
import {
  readDefinitionFiles,
  REGENERATE_COMMAND,
  renderDefinitionFiles,
  SQL_DEFINITIONS_DIR,
  syncSqlDefinitions,
} from "@/db/sql-files";
import { createTestDb, type TestDb } from "../support/db";

/*
 * db/sql/ is the one home of the functions and triggers: every one the database has must have
 * its file, and every file must be as PostgreSQL renders it, since the start applies a file
 * whenever the database renders it differently. PGlite renders them exactly as PostgreSQL
 * does, so the files are checked on both engines.
 */

/** What a file describes, in words for the failure message. */
function describeFile(file: string): string {
  const name = path.basename(file, ".sql");
  return file.startsWith("functions/") ? `function ${name}` : `the triggers on table ${name}`;
}

/** A copy of db/sql in a temporary folder, with `change` made to one file. */
function changedCopy(file: string, change: (content: string) => string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "closeline-sql-"));
  fs.cpSync(path.resolve(SQL_DEFINITIONS_DIR), root, { recursive: true });
  const target = path.join(root, file);
  fs.writeFileSync(target, change(fs.readFileSync(target, "utf8")));
  return root;
}

describe("db/sql: the functions and triggers", () => {
  let testDb: TestDb;
  let rendered: Map<string, string>;
  let onDisk: Map<string, string>;

  beforeAll(async () => {
    // Opening the database applies db/sql, and refuses a file PostgreSQL renders otherwise.
    testDb = await createTestDb();
    rendered = await renderDefinitionFiles(testDb.db);
    onDisk = readDefinitionFiles(path.resolve(SQL_DEFINITIONS_DIR));
  });
  afterAll(async () => {
    await testDb?.close();
  });

  it("finds functions and triggers", () => {
    const keys = [...rendered.keys()];
    expect(keys.some((file) => file.startsWith("functions/"))).toBe(true);
    expect(keys.some((file) => file.startsWith("triggers/"))).toBe(true);
  });

  it("has a file for every function and every table's triggers the database has", () => {
    const strays = [...rendered.keys()].filter((file) => !onDisk.has(file));
    expect(
      strays.map((file) => `${SQL_DEFINITIONS_DIR}/${file}`),
      `${strays.map(describeFile).join(", ")} made by a migration and in no file:` +
        ` run \`${REGENERATE_COMMAND}\` to write the file, or drop it in a migration`,
    ).toEqual([]);
  });

  it("has every file as PostgreSQL renders it", () => {
    for (const [file, content] of onDisk) {
      expect
        .soft(
          content,
          `${SQL_DEFINITIONS_DIR}/${file} is not ${describeFile(file)} as PostgreSQL renders it:` +
            ` run \`${REGENERATE_COMMAND}\` and commit the file`,
        )
        .toBe(rendered.get(file));
    }
  });

  it("applies a changed file at the next start, and the original again after it", async () => {
    const file = "triggers/invoices.sql";
    const names = async () =>
      (await listTriggerDefinitions(testDb.db))
        .filter((t) => t.tableName === "invoices")
        .map((t) => t.name);
    const before = await names();
    expect(before).toContain("kpi_summaries_on_invoices_truncate");
    // A trigger taken out of its table's file is dropped.
    const root = changedCopy(file, (content) =>
      content.replace(/^CREATE TRIGGER kpi_summaries_on_invoices_truncate .*\n/m, ""),
    );
    try {
      expect(await syncSqlDefinitions(testDb.db, root)).toEqual([file]);
      expect(await names()).toEqual(
        before.filter((n) => n !== "kpi_summaries_on_invoices_truncate"),
      );
      expect(await syncSqlDefinitions(testDb.db, root)).toEqual([]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
    expect(await syncSqlDefinitions(testDb.db)).toEqual([file]);
    expect(await names()).toEqual(before);
  });

  /** Syncs from a copy of db/sql with `change` made to `file`, and expects the refusal. */
  async function expectRefused(file: string, change: (content: string) => string, error: string) {
    const root = changedCopy(file, change);
    try {
      await expect(syncSqlDefinitions(testDb.db, root)).rejects.toThrow(error);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }

  it("refuses a file not in PostgreSQL's rendering, naming it, and changes nothing", async () => {
    const file = "functions/closeline_reporting_currency.sql";
    // Lower-case keywords: the same function, but never equal to what the database renders.
    await expectRefused(
      file,
      (content) => content.replace("CREATE OR REPLACE FUNCTION", "create or replace function"),
      `${path.join(SQL_DEFINITIONS_DIR, file)}: not as PostgreSQL renders`,
    );
    expect(await renderDefinitionFiles(testDb.db)).toEqual(rendered);
  });

  it("refuses to replace a function whose results an index or a column stores", async () => {
    await expectRefused(
      "functions/closeline_severity_order.sql",
      (content) => content.replace("'critical' THEN 0", "'critical' THEN 9"),
      "closeline_severity_order is stored in index exceptions_open_severity_idx",
    );
    const rows = await queryRows<{ order: number }>(
      testDb.db,
      sql`select closeline_severity_order('critical') as "order"`,
    );
    expect(rows).toEqual([{ order: 0 }]);
  });
});
