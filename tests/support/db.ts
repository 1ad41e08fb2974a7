import { afterAll, beforeAll } from "vitest";
import { createTestDb, type TestDb } from "./fresh-db";

export { TEST_ENGINE, createEmptyDatabase, createTestDb, type TestDb } from "./fresh-db";

/**
 * The database of one test file (or one describe block): created before its first test and
 * dropped after its last. Read its fields inside hooks and tests, once it exists.
 */
export function testDbForSuite(): TestDb {
  let current: TestDb | null = null;
  const opened = (): TestDb => {
    if (!current) throw new Error("the test database is opened in beforeAll; use it in a test");
    return current;
  };
  const close = async () => {
    const closing = current;
    current = null;
    await closing?.close();
  };
  beforeAll(async () => {
    current = await createTestDb();
  });
  afterAll(close);
  return {
    get db() {
      return opened().db;
    },
    get reads() {
      return opened().reads;
    },
    get target() {
      return opened().target;
    },
    get indexesBuilt() {
      return opened().indexesBuilt;
    },
    get url() {
      return opened().url;
    },
    close,
  };
}
