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
 * db/migrate.ts hands the embedded database to drizzle's postgres.js migrator, cast to a
 * postgres.js database: the two migrators are the same code today. This runs that very path
 * on PGlite, whatever engine the suite runs on, so a drizzle upgrade that makes them differ
 * fails here rather than at an embedded install's first start.
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

describe("the versioned migrations on PGlite, through the postgres.js migrator", () => {
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
