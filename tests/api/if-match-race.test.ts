import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { handleProposeCorrection } from "@/lib/corrections/api";
import type { ExceptionAction } from "@/lib/contract/work-api";
import { handleExceptionAction } from "@/lib/exceptions/api";
import { seedException } from "../exceptions/support";
import { makeEndpoint } from "../outbox/support";
import { TEST_ENGINE, testDbForSuite } from "../support/db";
import { answer, apiRequest, failedPosting, rejectedGroup, serviceKey } from "./support";

/*
 * If-Match holds at the moment the write happens, not only when the request arrived. The
 * race is forced: a second connection locks the exception's row, the request (whose If-Match
 * is current when it arrives) is sent and seen waiting for that lock, the holder moves the
 * exception on a version and commits; the request must then answer 412 and change nothing.
 * PGlite has one connection, so no second writer can interleave there.
 */

vi.mock("next-auth", async () => (await import("../support/no-session")).withoutSession());

const t = testDbForSuite();
let holder: postgres.Sql;
let observer: postgres.Sql;
let workKey: string;

beforeAll(async () => {
  if (!t.url) return;
  holder = postgres(t.url, { max: 1, onnotice: () => {} });
  observer = postgres(t.url, { max: 1, onnotice: () => {} });
  workKey = (await serviceKey(t.db, ["work"])).key;
  await makeEndpoint(t.db, "https://erp.example.test/retries", ["erp.posting.retry"]);
});

afterAll(async () => {
  await holder?.end();
  await observer?.end();
});

async function waitingForRowLock(): Promise<boolean> {
  const rows = await observer<{ n: number }[]>`
    select count(*)::int as n from pg_locks l join pg_stat_activity a on a.pid = l.pid
    where a.datname = current_database() and not l.granted and l.locktype in ('transactionid', 'tuple')`;
  return rows[0]!.n > 0;
}

/** Sends the request while the row is held, moves the exception on, then lets the request go. */
async function raceAgainstAChange(id: string, send: () => Promise<Response>) {
  let pending: Promise<Response> | undefined;
  await holder.begin(async (sql) => {
    await sql`select id from exceptions where id = ${id}::uuid for update`;
    pending = send();
    const deadline = Date.now() + 10_000;
    while (!(await waitingForRowLock())) {
      if (Date.now() > deadline) throw new Error("the request never waited for the row lock");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await sql`update exceptions set version = version + 1 where id = ${id}::uuid`;
  });
  return pending!;
}

const ifMatchOne = { "if-match": '"1"' };

describe.skipIf(TEST_ENGINE !== "postgres")("If-Match checked under the row lock", () => {
  it.each<[ExceptionAction, (db: typeof t.db) => Promise<{ id: string }>, unknown]>([
    ["retry", failedPosting, undefined],
    ["dismiss-events", rejectedGroup, { reason: "Sent by a test harness" }],
  ])("%s answers 412 when the exception changed while it waited", async (action, seed, body) => {
    const { id } = await seed(t.db);
    const path = `/api/v1/exceptions/${id}/${action}`;
    const response = await raceAgainstAChange(id, () =>
      handleExceptionAction(
        t.db,
        apiRequest("POST", path, { token: workKey, headers: ifMatchOne, body }),
        id,
        action,
      ),
    );
    const result = await answer(response, `POST /api/v1/exceptions/{id}/${action}`);
    expect(result.status, JSON.stringify(result.body)).toBe(412);
    const [row] = await observer<{ status: string; version: number }[]>`
      select status, version from exceptions where id = ${id}::uuid`;
    expect(row).toEqual({ status: "open", version: 2 });
  });

  it("proposing a correction answers 412 when the exception changed while it waited", async () => {
    const x = await seedException(t.db, { type: "invoice_disputed", amountMinor: 5_000 });
    const response = await raceAgainstAChange(x.id, () =>
      handleProposeCorrection(
        t.db,
        apiRequest("POST", `/api/v1/exceptions/${x.id}/corrections`, {
          token: workKey,
          headers: ifMatchOne,
          body: {
            kind: "credit_note",
            amountMinor: 5_000,
            currency: "USD",
            targetSystem: "billing",
            reason: "Disputed usage credited",
          },
        }),
        x.id,
      ),
    );
    const result = await answer(response, "POST /api/v1/exceptions/{id}/corrections");
    expect(result.status, JSON.stringify(result.body)).toBe(412);
    const proposals = await observer<{ n: number }[]>`
      select count(*)::int as n from corrections where exception_id = ${x.id}::uuid`;
    expect(proposals[0]!.n).toBe(0);
  });
});
