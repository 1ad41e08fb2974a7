import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { openDb, type Db } from "@/db/client";
import { CONCURRENT_INDEXES } from "@/db/concurrent-indexes";
import { queryRows } from "@/db/rows";
import * as schema from "@/db/schema";
import { syncSqlDefinitions } from "@/db/sql-files";
import { insertEvents } from "@/db/queries/ingest";
import { ingestItems } from "@/lib/ingest/ingest";
import { createEmptyDatabase, createTestDb, TEST_ENGINE, type TestDb } from "../support/db";
import { rollupDrift } from "../support/rollup-drift";

/*
 * An install of the previous release, with data in it, brought up to the current schema as
 * a deployment does it (openDb: the migrations, then the indexes built after them), while
 * ingestion goes on through the real ingest function. On PostgreSQL ingestion must keep
 * committing while an index on events is being built; on both engines nothing stored may be
 * lost and the result must equal a fresh install.
 */

const MIGRATIONS = path.join(process.cwd(), "db", "migrations");
/** The last migration of the previous release: the baseline, less what is built after it. */
const LAST_OF_PREVIOUS_RELEASE = "0000_baseline";
/** Events loaded before the upgrade: enough that an index on them takes a second or more to build. */
const BULK_EVENTS = 150_000;

/** The migrations folder as the previous release shipped it, in a temporary folder. */
function previousReleaseMigrations(): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "closeline-previous-release-"));
  fs.mkdirSync(path.join(folder, "meta"));
  const journal = JSON.parse(
    fs.readFileSync(path.join(MIGRATIONS, "meta", "_journal.json"), "utf8"),
  ) as { entries: { tag: string }[] };
  const last = journal.entries.findIndex((entry) => entry.tag === LAST_OF_PREVIOUS_RELEASE);
  journal.entries = journal.entries.slice(0, last + 1);
  for (const entry of journal.entries) {
    fs.copyFileSync(
      path.join(MIGRATIONS, `${entry.tag}.sql`),
      path.join(folder, `${entry.tag}.sql`),
    );
  }
  fs.writeFileSync(path.join(folder, "meta", "_journal.json"), JSON.stringify(journal));
  return folder;
}

/**
 * What this release's db/sql adds that the previous release did not have, taken away again:
 * its functions and triggers write to tables and columns this release's migrations create
 * (0003, 0004), so the previous release never had them.
 */
const ADDED_SINCE_PREVIOUS_RELEASE = [
  "drop trigger events_lag_value_days_delete on events",
  "drop trigger events_lag_value_days_insert on events",
  "drop trigger events_lag_value_days_update on events",
  "drop function event_lag_value_days_apply()",
  "drop function closeline_rollup_shard()",
];

/**
 * The previous release's text of the functions this release changed to write columns its
 * migrations add (the rollup shards, 0004), as db/sql held them then.
 */
const PREVIOUS_RELEASE_FUNCTIONS = path.join(process.cwd(), "tests", "db", "previous-release");

/**
 * The previous release's schema: its migrations, then its functions and triggers (db/sql),
 * but not the indexes it built after them (db/concurrent-indexes.ts), which the upgrade builds.
 */
async function installPreviousRelease(db: Db): Promise<void> {
  await migrate(db as unknown as PostgresJsDatabase, {
    migrationsFolder: previousReleaseMigrations(),
  });
  await syncSqlDefinitions(db);
  for (const file of fs.readdirSync(PREVIOUS_RELEASE_FUNCTIONS).sort()) {
    await db.execute(sql.raw(fs.readFileSync(path.join(PREVIOUS_RELEASE_FUNCTIONS, file), "utf8")));
  }
  for (const statement of ADDED_SINCE_PREVIOUS_RELEASE) await db.execute(sql.raw(statement));
}

let batchNumber = 0;
/**
 * A batch of entitlement updates, each one a projection row as well as an event. The
 * previous release's ingestion is played by this release's code, so the batches are of a
 * type whose projection this release leaves as it was.
 */
function paymentBatch(size: number) {
  const batch = ++batchNumber;
  return Array.from({ length: size }, (_, i) => ({
    specversion: "1.0",
    id: `upgrade-${batch}-${i}`,
    source: "/tests/upgrade",
    type: "entitlement.updated",
    time: "2025-03-01T00:00:00Z",
    data: {
      customerId: "cus_1",
      status: "active",
      paymentId: `pay-${batch}-${i}`,
      updatedAt: "2025-03-01T00:00:00Z",
    },
  }));
}

const ingest = (db: Db, items: unknown[]) =>
  ingestItems(db, items, { apiKeyId: null, channel: "api" });

/**
 * The previous release's ingestion of a batch, on the database still at its schema: the
 * events and their projection rows in one transaction (db/queries/ingest.ts, unchanged for
 * this type), without the exception detection this release's ingestItems queues after it.
 * Answers how many events were stored.
 */
const ingestAsPreviousRelease = async (db: Db, items: ReturnType<typeof paymentBatch>) => {
  const rows = items.map((e) => ({
    source: e.source,
    eventId: e.id,
    type: e.type,
    time: e.time,
    subject: null,
    data: e.data,
    attributes: {},
  }));
  return (await db.transaction((tx) => insertEvents(tx, rows, null))).length;
};

/** What makes up the schema: a fresh install and an upgraded one must agree on every row. */
async function schemaOf(db: Db) {
  const rows = (query: string) => queryRows<Record<string, unknown>>(db, sql.raw(query));
  return {
    columns: await rows(`
      select table_name, column_name, data_type, is_nullable, column_default, generation_expression
      from information_schema.columns where table_schema = 'public' order by 1, 2`),
    indexes: await rows(`
      select tablename, indexname, indexdef from pg_indexes where schemaname = 'public' order by 2`),
    invalidIndexes: await rows(`
      select indexrelid::regclass::text as name from pg_index where not indisvalid`),
    constraints: await rows(`
      select conrelid::regclass::text as "table", conname, pg_get_constraintdef(oid) as definition
      from pg_constraint where connamespace = 'public'::regnamespace order by 1, 2`),
    triggers: await rows(`
      select event_object_table, trigger_name, action_timing, event_manipulation, action_statement
      from information_schema.triggers where trigger_schema = 'public' order by 2, 4`),
    functions: await rows(`
      select p.proname, pg_get_functiondef(p.oid) as definition from pg_proc p
      where p.pronamespace = 'public'::regnamespace order by 1, 2`),
    migrations: await rows(`select hash, created_at from drizzle.__drizzle_migrations order by id`),
  };
}

async function eventIds(db: Db) {
  const rows = await queryRows<{ event_id: string }>(db, sql`select event_id from events`);
  return new Set(rows.map((row) => row.event_id));
}

let fresh: TestDb | undefined;
afterAll(async () => {
  await fresh?.close();
});

describe.skipIf(TEST_ENGINE !== "postgres")("upgrading a PostgreSQL install", () => {
  it("goes on ingesting while the indexes on events are built, loses nothing and ends as a fresh install", async () => {
    const database = await createEmptyDatabase();
    const client = postgres(database.url, { max: 4, onnotice: () => {} });
    const observer = postgres(database.url, { max: 1, onnotice: () => {} });
    try {
      await installPreviousRelease(drizzlePostgres({ client }) as unknown as Db);
      // The running previous release: its ingest path, on the same database throughout.
      const running = drizzlePostgres({ client, schema }) as unknown as Db;
      for (let i = 0; i < 10; i++) await ingestAsPreviousRelease(running, paymentBatch(20));
      // Bulk, written straight into events (only their number matters here, not projections).
      await client`
        insert into events (source, event_id, type, time, data, received_at)
        select '/tests/upgrade/bulk-' || (g % 50), 'bulk-' || g, 'usage.checkpoint',
          timestamptz '2025-01-01' + g * interval '1 second', '{}',
          timestamptz '2025-01-01' + g * interval '1 second'
        from generate_series(1, ${BULK_EVENTS}) g`;
      await client`analyze events`;
      const before = await eventIds(running);

      // Ingestion keeps going through the upgrade, one batch after another.
      const acknowledged: { started: number; finished: number; ids: string[] }[] = [];
      const failures: unknown[] = [];
      let upgrading = true;
      const ingestLoop = (async () => {
        while (upgrading) {
          const batch = paymentBatch(5);
          const started = performance.now();
          try {
            expect(await ingestAsPreviousRelease(running, batch)).toBe(5);
            acknowledged.push({
              started,
              finished: performance.now(),
              ids: batch.map((e) => e.id),
            });
          } catch (error) {
            failures.push(error);
          }
        }
      })();

      // Watches for an index build on events, from its first sighting to its last.
      const build = { first: Infinity, last: -Infinity };
      const watchLoop = (async () => {
        while (upgrading) {
          const [row] = await observer<{ building: boolean }[]>`
            select exists (select 1 from pg_stat_progress_create_index
                           where datname = current_database() and relid = to_regclass('events')) as building`;
          if (row?.building) {
            build.first = Math.min(build.first, performance.now());
            build.last = performance.now();
          }
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();

      // A batch or two before the upgrade starts, so the loop is known to run.
      while (acknowledged.length < 2 && failures.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const upgraded = await openDb({ kind: "postgres", url: database.url });
      try {
        await upgraded.indexesBuilt;
      } finally {
        upgrading = false;
        await Promise.all([ingestLoop, watchLoop]);
      }

      expect(failures).toEqual([]);
      // The build was seen, and batches were both sent and committed while it ran.
      expect(build.last).toBeGreaterThan(build.first);
      const duringBuild = acknowledged.filter(
        (a) => a.started >= build.first && a.finished <= build.last,
      );
      expect(
        duringBuild.length,
        `batches committed during a ${Math.round(build.last - build.first)} ms index build`,
      ).toBeGreaterThanOrEqual(3);

      // Nothing lost: what was there, and every acknowledged batch.
      const after = await eventIds(upgraded.db);
      const expected = [...before, ...acknowledged.flatMap((a) => a.ids)];
      expect(expected.filter((id) => !after.has(id))).toEqual([]);
      expect(after.size).toBe(expected.length);
      // And the upgraded database serves ingestion on its own.
      expect(await ingest(upgraded.db, paymentBatch(3))).toMatchObject({ accepted: 3 });
      // The rollups kept before, during and after the upgrade equal a recount of the events.
      expect(await rollupDrift(upgraded.db)).toEqual([]);

      fresh ??= await createTestDb();
      expect(await schemaOf(upgraded.db)).toEqual(await schemaOf(fresh.db));
      await upgraded.close();
    } finally {
      await Promise.all([client.end(), observer.end()]);
      await database.drop();
    }
  }, 180_000);

  it("drops and rebuilds an index a concurrent build left INVALID", async () => {
    fresh ??= await createTestDb();
    const [index] = CONCURRENT_INDEXES;
    const db = fresh.db;
    const definition = async () =>
      queryRows<{ indexdef: string; valid: boolean }>(
        db,
        sql`select indexdef, i.indisvalid as valid from pg_indexes x
            join pg_index i on i.indexrelid = to_regclass(quote_ident(x.indexname))
            where x.indexname = ${index!.name}`,
      );
    const built = await definition();
    expect(built).toMatchObject([{ valid: true }]);

    // An interrupted concurrent build leaves its index behind, marked INVALID: here a unique
    // build that meets duplicates, under the same name.
    await ingest(db, paymentBatch(2));
    await db.execute(sql.raw(`drop index "${index!.name}"`));
    const client = postgres(fresh.url!, { max: 1, onnotice: () => {} });
    try {
      await expect(
        client.unsafe(`create unique index concurrently "${index!.name}" on events (source)`),
      ).rejects.toThrow(/could not create unique index/);
    } finally {
      await client.end();
    }
    expect(await definition()).toMatchObject([{ valid: false }]);

    const restarted = await openDb({ kind: "postgres", url: fresh.url! });
    await restarted.indexesBuilt;
    await restarted.close();
    expect(await definition()).toEqual(built);
  });
});

describe.skipIf(TEST_ENGINE !== "pglite")("upgrading a PGlite install", () => {
  it("keeps every event and ends as a fresh install", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "closeline-upgrade-"));
    try {
      const previous = await PGlite.create(dataDir);
      await installPreviousRelease(drizzlePglite({ client: previous }) as unknown as Db);
      const running = drizzlePglite({ client: previous, schema }) as unknown as Db;
      for (let i = 0; i < 5; i++) await ingestAsPreviousRelease(running, paymentBatch(20));
      const before = await eventIds(running);
      await previous.close();

      const upgraded = await openDb({ kind: "pglite", dataDir });
      try {
        expect(await eventIds(upgraded.db)).toEqual(before);
        expect(await ingest(upgraded.db, paymentBatch(3))).toMatchObject({ accepted: 3 });
        expect(await rollupDrift(upgraded.db)).toEqual([]);
        fresh ??= await createTestDb();
        expect(await schemaOf(upgraded.db)).toEqual(await schemaOf(fresh.db));
      } finally {
        await upgraded.close();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});

/**
 * An install whose last migration came before the last one the baseline replaced (0041 here):
 * applying the baseline over its tables would half-upgrade it, so the start refuses.
 */
describe("an install part way through the migrations the baseline replaced", () => {
  const partWay = [
    "create schema drizzle",
    "create table drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)",
    "insert into drizzle.__drizzle_migrations (hash, created_at) values ('0040', 1795669910300), ('0041', 1795669910400)",
    "create table users (id uuid primary key)",
  ];
  const refusal = /predates migration 0042_detection_queue.*previous release first/;
  const untouched = async (query: (text: string) => Promise<unknown[]>) => {
    expect(await query("select count(*)::int as n from drizzle.__drizzle_migrations")).toEqual([
      { n: 2 },
    ]);
    expect(await query("select to_regclass('events') is null as absent")).toEqual([
      { absent: true },
    ]);
  };

  it.skipIf(TEST_ENGINE !== "postgres")("is refused on PostgreSQL, unchanged", async () => {
    const database = await createEmptyDatabase();
    const client = postgres(database.url, { max: 1, onnotice: () => {} });
    try {
      for (const statement of partWay) await client.unsafe(statement);
      await expect(openDb({ kind: "postgres", url: database.url })).rejects.toThrow(refusal);
      await untouched((text) => client.unsafe(text));
    } finally {
      await client.end();
      await database.drop();
    }
  });

  it.skipIf(TEST_ENGINE !== "pglite")("is refused on PGlite, unchanged", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "closeline-part-way-"));
    try {
      const previous = await PGlite.create(dataDir);
      for (const statement of partWay) await previous.exec(statement);
      await previous.close();
      await expect(openDb({ kind: "pglite", dataDir })).rejects.toThrow(refusal);
      const reopened = await PGlite.create(dataDir);
      await untouched(async (text) => (await reopened.query(text)).rows);
      await reopened.close();
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
