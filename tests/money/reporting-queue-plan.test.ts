import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { listExceptionsQuery, type ListExceptionsParams } from "@/db/queries/exceptions";
import { queryRows } from "@/db/rows";
import { testDbForSuite } from "../support/db";

/*
 * The queue sorted or filtered by the amount at risk in the reporting currency reads one
 * page through exceptions_open_reporting_amount_idx, not by sorting every open exception:
 * checked on the plan of the very statement the queue runs, over 20,000 open exceptions.
 */

const t = testDbForSuite();
const INDEX = "exceptions_open_reporting_amount_idx";

beforeAll(async () => {
  await t.db.execute(sql`
    insert into exceptions (type, problem_key, title, entity, amount_minor, currency, opened_at)
    select 'reconciliation_break', 'plan-' || g, 'Break ' || g, 'ACME-US',
      case when g % 10 = 0 then null else (g * 7919) % 1000000 end,
      case when g % 10 = 0 then null else 'USD' end,
      timestamptz '2026-11-01T00:00:00Z' + g * interval '1 minute'
    from generate_series(1, 20000) g`);
  await t.db.execute(sql`analyze exceptions`);
}, 120_000);

async function plan(params: ListExceptionsParams): Promise<string> {
  const rows = await queryRows<{ "QUERY PLAN": string }>(
    t.db,
    sql`explain ${listExceptionsQuery(params)}`,
  );
  return rows.map((r) => r["QUERY PLAN"]).join("\n");
}

describe("the queue by amount in the reporting currency", () => {
  it.each([
    ["first page, largest first", { sort: "reporting_amount", limit: 50 }],
    ["first page, smallest first", { sort: "reporting_amount", direction: "asc", limit: 50 }],
    [
      "a page after a cursor",
      {
        sort: "reporting_amount",
        limit: 50,
        after: {
          sortKey: "500000",
          openedAt: "2026-11-05T00:00:00.000000Z",
          id: "00000000-0000-4000-8000-000000000000",
        },
      },
    ],
    [
      "filtered to at least 9,000.00",
      { sort: "reporting_amount", minReportingMinor: 900_000, limit: 50 },
    ],
  ] as [string, ListExceptionsParams][])("%s reads the index in order", async (_name, params) => {
    const text = await plan(params);
    expect(text).toContain(INDEX);
    // Read in the index's order: no sort of the matching rows.
    expect(text).not.toMatch(/\bSort\b/);
  });
});
