import "server-only";
import fs from "node:fs";
import path from "node:path";
import type { Db } from "./client";
import { listFunctionDefinitions, listTriggerDefinitions } from "./queries/catalog";

/*
 * db/sql/ keeps the current definition of every function and trigger, one file per function
 * and one per table's triggers, written from a fully migrated database (db/sql/README.md).
 * The migrations still ship every change; these files say where things stand after them.
 */

/** The folder of the definition files, from the repository root. */
export const SQL_DEFINITIONS_DIR = path.join("db", "sql");
export const REGENERATE_COMMAND = "npm run db:functions";

const FUNCTION_HEADER =
  "-- The current definition after all migrations, as PostgreSQL renders it. Change it with a\n" +
  `-- migration, then \`${REGENERATE_COMMAND}\` rewrites this file (db/sql/README.md).\n`;
const TRIGGER_HEADER =
  "-- This table's triggers after all migrations, as PostgreSQL renders them. Change them with a\n" +
  `-- migration, then \`${REGENERATE_COMMAND}\` rewrites this file (db/sql/README.md).\n`;

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
export function readDefinitionFiles(root: string): Map<string, string> {
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
