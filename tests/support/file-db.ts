import { afterAll, beforeAll } from "vitest";
import type { Db } from "@/db/client";
import { createTestDb, type TestDb } from "./db";

export interface FileDb {
  /** The database of this test file; read it inside a hook or a test, never at import time. */
  readonly db: Db;
}

/**
 * The database a test file owns: created fresh before the file's first test and closed after
 * its last. Call it at the top of the file, before any hook that seeds data, so the database
 * exists by the time that hook runs (vitest runs `beforeAll` hooks in the order they are
 * registered).
 */
export function freshTestDb(): FileDb {
  let current: TestDb | undefined;
  beforeAll(async () => {
    current = await createTestDb();
  });
  afterAll(async () => {
    await current?.close();
  });
  return {
    get db() {
      if (!current) throw new Error("the test database is only there inside hooks and tests");
      return current.db;
    },
  };
}
