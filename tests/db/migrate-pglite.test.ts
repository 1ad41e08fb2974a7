import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/pglite";
import { afterAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import {
  MIGRATIONS_FOLDER,
  applyVersionedMigrations,
  latestAppliedMigration,
  migrationJournal,
} from "@/db/migrate";
import { queryRows } from "@/db/rows";
import * as schema from "@/db/schema";

/*
 * db/migrate.ts applies the migrations itself, in a transaction db/sql's files then join, and
 * records each as drizzle's migrator does (its file's sha256, its journal `when`): installs
 * migrated by drizzle's migrator before, and any tool reading its table, must agree with it.
 * This runs it on PGlite, whatever engine the suite runs on.
 */

const client = new PGlite();
const db = drizzle(client, { schema }) as unknown as Db;

afterAll(async () => {
  await client.close();
});

const applied = () =>
  queryRows<{ hash: string; created_at: string | number }>(
    db,
    sql`select hash, created_at from drizzle.__drizzle_migrations order by id`,
  );

describe("the versioned migrations on PGlite", () => {
  it("applies every migration of the journal once, recorded as drizzle records them", async () => {
    expect(await latestAppliedMigration(db)).toBeNull();
    await applyVersionedMigrations(db);

    const journal = migrationJournal();
    expect(journal.length).toBeGreaterThan(0);
    const expected = journal.map((entry) => ({
      hash: crypto
        .createHash("sha256")
        .update(fs.readFileSync(path.join(MIGRATIONS_FOLDER, `${entry.tag}.sql`), "utf8"))
        .digest("hex"),
      when: entry.when,
    }));
    const rows = await applied();
    expect(rows.map((r) => ({ hash: r.hash, when: Number(r.created_at) }))).toEqual(expected);
    expect(await latestAppliedMigration(db)).toBe(journal.at(-1)!.when);

    // The schema is there: a table of the baseline and one of a later migration.
    const [tables] = await queryRows<{ events: string | null; caller: boolean }>(
      db,
      sql`select to_regclass('public.events')::text as events,
            exists (select 1 from information_schema.tables
                    where table_name = 'caller_write_positions') as caller`,
    );
    expect(tables).toEqual({ events: "events", caller: true });
  });

  it("applies nothing the second time", async () => {
    const before = await applied();
    await applyVersionedMigrations(db);
    expect(await applied()).toEqual(before);
  });
});
