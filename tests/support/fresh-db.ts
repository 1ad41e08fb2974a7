import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { openDb, type DbHandle } from "@/db/client";

/**
 * Fresh databases for tests and for scripts that need one (npm run db:functions); no
 * vitest here, so a plain script may import it. Each test file gets a database of its own: a fresh PostgreSQL database on the server named
 * by CLOSELINE_TEST_PG (default: the local server), or an in-memory PGlite when the suite runs
 * with CLOSELINE_TEST_DB=pglite. The suite runs once per engine (scripts/test.sh).
 */
export const TEST_ENGINE = process.env.CLOSELINE_TEST_DB === "pglite" ? "pglite" : "postgres";
// The maintenance database "postgres" exists on every server; "test" does not on a fresh one.
const SERVER_URL = process.env.CLOSELINE_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface TestDb extends DbHandle {
  /** Connection string of the fresh database (postgres engine only). */
  url: string | null;
}

/** A database with nothing in it, not even the schema (postgres engine only). */
export async function createEmptyDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `closeline_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(SERVER_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const dropper = postgres(SERVER_URL, { max: 1, onnotice: () => {} });
      await dropper.unsafe(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}

export async function createTestDb(): Promise<TestDb> {
  if (TEST_ENGINE === "pglite") {
    const handle = await openDb({ kind: "pglite", dataDir: null });
    return { ...handle, url: null };
  }
  const database = await createEmptyDatabase();
  const handle = await openDb({ kind: "postgres", url: database.url });
  // A test's database starts complete, indexes built after the migrations included.
  await handle.indexesBuilt;
  return {
    ...handle,
    url: database.url,
    close: async () => {
      await handle.close();
      await database.drop();
    },
  };
}
