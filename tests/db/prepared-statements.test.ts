import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb, type DbHandle } from "@/db/client";
import { queryRows, withPreparedStatements } from "@/db/rows";
import { EVENT_TYPE_NAMES } from "@/lib/contract";
import { ingestItems } from "@/lib/ingest/ingest";
import { makeEvent } from "../ingest/support";
import { TEST_ENGINE, createEmptyDatabase, testDbForSuite } from "../support/db";

const context = { apiKeyId: null, channel: "api" as const };

/** One batch of each event type alone, one of all of them and one with an invalid item. */
function batches(round: number) {
  const all = EVENT_TYPE_NAMES.map((type) => makeEvent(type, { source: `/round/${round}` }));
  return [
    ...all.map((event) => [event]),
    EVENT_TYPE_NAMES.map((type) => makeEvent(type, { source: `/round/${round}` })),
    [makeEvent(EVENT_TYPE_NAMES[0]!), { specversion: "1.0", id: `bad-${round}` }],
  ];
}

/** The statements postgres.js has prepared on the pool's one connection. */
async function preparedStatements(handle: DbHandle): Promise<string[]> {
  const rows = await queryRows<{ statement: string }>(
    handle.db,
    sql`select statement from pg_prepared_statements`,
  );
  return rows.map((r) => r.statement);
}

describe.skipIf(TEST_ENGINE !== "postgres")("ingestion's prepared statements", () => {
  let database: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let handle: DbHandle;
  let unprepared: DbHandle;
  beforeAll(async () => {
    database = await createEmptyDatabase();
    handle = await openDb({ kind: "postgres", url: database.url, maxConnections: 1 });
    await handle.indexesBuilt;
    unprepared = await openDb({
      kind: "postgres",
      url: database.url,
      maxConnections: 1,
      preparedStatements: false,
    });
  });
  afterAll(async () => {
    await handle.close();
    await unprepared.close();
    await database.drop();
  });

  it("are a fixed set: batches of other events and values prepare none anew", async () => {
    for (const batch of batches(1)) await ingestItems(handle.db, batch, context);
    const first = await preparedStatements(handle);
    expect(first.length).toBeGreaterThan(10);
    for (const round of [2, 3]) {
      for (const batch of batches(round)) await ingestItems(handle.db, batch, context);
    }
    expect((await preparedStatements(handle)).sort()).toEqual(first.sort());
  });

  it("are replanned, not broken, by a schema change between batches", async () => {
    for (const batch of batches(4)) await ingestItems(handle.db, batch, context);
    await handle.db.execute(sql`alter table events add column prepared_probe int`);
    try {
      for (const batch of batches(5)) await ingestItems(handle.db, batch, context);
    } finally {
      await handle.db.execute(sql`alter table events drop column prepared_probe`);
    }
    const [row] = await queryRows<{ events: number }>(
      handle.db,
      sql`select count(*)::int as events from events where source = '/round/5'`,
    );
    expect(row!.events).toBe(2 * EVENT_TYPE_NAMES.length);
  });

  it("are sent unnamed with DATABASE_PREPARED_STATEMENTS=off, as a transaction pooler needs", async () => {
    for (const batch of batches(6)) await ingestItems(unprepared.db, batch, context);
    expect(await preparedStatements(unprepared)).toEqual([]);
  });
});

describe.skipIf(TEST_ENGINE !== "pglite")("prepared statements on PGlite", () => {
  const t = testDbForSuite();
  it("leave the database as it is", () => {
    expect(withPreparedStatements(t.db)).toBe(t.db);
  });
});
