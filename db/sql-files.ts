import "server-only";
import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { Db } from "./client";
import {
  listFunctionDefinitions,
  listFunctionDependents,
  listTriggerDefinitions,
} from "./queries/catalog";

/*
 * db/sql/ is the one home of every function and trigger: one file per function and one per
 * table's triggers, each in PostgreSQL's own rendering (db/sql/README.md). The migrations
 * hold the schema; after them, syncSqlDefinitions makes the database's functions and triggers
 * equal to these files, the way Flyway's repeatable migrations follow their scripts. The
 * catalog is the state: a file is applied when the database renders it differently.
 */

/** The folder of the definition files, from the repository root. */
export const SQL_DEFINITIONS_DIR = path.join("db", "sql");
export const REGENERATE_COMMAND = "npm run db:functions";

const FUNCTION_HEADER =
  "-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it\n" +
  `-- as PostgreSQL renders it: \`${REGENERATE_COMMAND}\` rewrites it so.\n`;
const TRIGGER_HEADER =
  "-- This table's triggers, recreated at start whenever the database's differ (db/sql/README.md).\n" +
  `-- Keep them as PostgreSQL renders them: \`${REGENERATE_COMMAND}\` rewrites them so.\n`;

/** Each definition file's path under db/sql and its content, as the database renders them. */
export async function renderDefinitionFiles(db: Db): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const functionsByName = groupBy(await listFunctionDefinitions(db), (f) => f.name);
  for (const [name, overloads] of functionsByName) {
    // Overloads of one name share its file, in the catalog's order of their argument types.
    const statements = overloads.map((f) => `${f.definition.trimEnd()};\n`);
    files.set(`functions/${name}.sql`, `${FUNCTION_HEADER}\n${statements.join("\n")}`);
  }
  const triggersByTable = groupBy(await listTriggerDefinitions(db), (t) => t.tableName);
  for (const [table, triggers] of triggersByTable) {
    const statements = triggers.map((t) => `${t.definition.trimEnd()};\n`);
    files.set(`triggers/${table}.sql`, `${TRIGGER_HEADER}\n${statements.join("")}`);
  }
  return files;
}

/** The definition files as they are in the tree: path under db/sql → content. */
export function readDefinitionFiles(root = path.resolve(SQL_DEFINITIONS_DIR)): Map<string, string> {
  const files = new Map<string, string>();
  for (const folder of ["functions", "triggers"]) {
    const dir = path.join(root, folder);
    if (!fs.existsSync(dir)) continue;
    for (const entry of fs.readdirSync(dir).sort()) {
      if (!entry.endsWith(".sql")) continue;
      files.set(`${folder}/${entry}`, fs.readFileSync(path.join(dir, entry), "utf8"));
    }
  }
  return files;
}

/**
 * Executes each file the database renders differently, functions before triggers (a trigger
 * names its function), and answers the files it executed. A function file is a
 * `CREATE OR REPLACE FUNCTION` for each overload. A triggers file replaces all of its table's
 * triggers: they are dropped first, so a trigger taken out of the file goes too. A function
 * with no file is left alone: removing one is a versioned migration's DROP.
 */
export async function applyDefinitionFiles(db: Db, files: Map<string, string>): Promise<string[]> {
  const rendered = await renderDefinitionFiles(db);
  const differing = [...files.keys()]
    .filter((file) => rendered.get(file) !== files.get(file))
    .sort((a, b) => Number(a.startsWith("triggers/")) - Number(b.startsWith("triggers/")));
  if (differing.length === 0) return [];
  await refuseChangingStoredFunctions(db, differing, files, rendered);
  const triggers = await listTriggerDefinitions(db);
  for (const file of differing) {
    if (file.startsWith("triggers/")) {
      const table = path.basename(file, ".sql");
      for (const trigger of triggers.filter((t) => t.tableName === table)) {
        await db.execute(
          sql`drop trigger ${sql.identifier(trigger.name)} on ${sql.identifier(table)}`,
        );
      }
    }
    // One statement a call: the extended protocol that both drivers use takes no more.
    for (const statement of splitStatements(files.get(file) ?? "")) {
      await db.execute(sql.raw(statement));
    }
  }
  return differing;
}

/**
 * Brings the database's functions and triggers to the files in db/sql, in one transaction,
 * and fails naming the file when one still differs afterwards: a file not in PostgreSQL's
 * canonical rendering would otherwise be applied again at every start.
 */
export async function syncSqlDefinitions(db: Db, root?: string): Promise<string[]> {
  const files = readDefinitionFiles(root);
  return db.transaction(async (tx) => {
    const applied = await applyDefinitionFiles(tx, files);
    if (applied.length === 0) return applied;
    const rendered = await renderDefinitionFiles(tx);
    const off = applied.filter((file) => rendered.get(file) !== files.get(file));
    if (off.length > 0) {
      throw new Error(
        `${off.map((file) => path.join(SQL_DEFINITIONS_DIR, file)).join(", ")}: not as ` +
          `PostgreSQL renders the definition it makes; run \`${REGENERATE_COMMAND}\` to rewrite it so`,
      );
    }
    return applied;
  });
}

/**
 * A function whose results an index or a generated column stores is the schema's: replacing
 * it leaves them computed by the old one. Its file may only follow a versioned migration that
 * replaces it and rebuilds them; a file that gets ahead of it is refused.
 */
async function refuseChangingStoredFunctions(
  db: Db,
  differing: string[],
  files: Map<string, string>,
  rendered: Map<string, string>,
): Promise<void> {
  const dependents = await listFunctionDependents(db);
  for (const file of differing) {
    if (!file.startsWith("functions/")) continue;
    // Only the header may differ: the same definition again changes nothing stored.
    if (withoutComments(files.get(file)) === withoutComments(rendered.get(file))) continue;
    const name = path.basename(file, ".sql");
    const stored = dependents.filter((d) => d.name === name).map((d) => d.dependent);
    if (stored.length === 0) continue;
    throw new Error(
      `${path.join(SQL_DEFINITIONS_DIR, file)}: ${name} is stored in ${stored.join(", ")}; ` +
        "change it in a versioned migration that also rebuilds them, then update the file",
    );
  }
}

const withoutComments = (content: string | undefined) =>
  content === undefined ? undefined : splitStatements(content.replace(/^--.*\n/gm, "")).join("\n");

/**
 * The statements of a definition file. Each starts a line with CREATE after the previous one
 * ended a line with `;`: how renderDefinitionFiles writes them, one or more a file.
 */
function splitStatements(content: string): string[] {
  return content
    .split(/(?<=;)\n+(?=CREATE )/)
    .map((statement) => statement.trim())
    .filter((statement) => /^CREATE /m.test(statement));
}

/** Groups in the order the rows came (the catalog queries sort them). */
function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(key(row));
    if (group) group.push(row);
    else groups.set(key(row), [row]);
  }
  return groups;
}
