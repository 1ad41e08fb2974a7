import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "@/db/rows";
import { TEST_ENGINE, testDbForSuite } from "../support/db";

const t = testDbForSuite();

// JIT exists only in a PostgreSQL server build; PGlite has none to turn off.
describe.skipIf(TEST_ENGINE !== "postgres")("the app's PostgreSQL connections", () => {
  it("run without JIT compilation or parallel workers, and name themselves", async () => {
    const [row] = await queryRows<{ jit: string; workers: string; name: string }>(
      t.db,
      sql`select current_setting('jit') as jit,
            current_setting('max_parallel_workers_per_gather') as workers,
            current_setting('application_name') as name`,
    );
    expect(row).toEqual({ jit: "off", workers: "0", name: "closeline" });
  });
});
