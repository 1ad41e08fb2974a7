import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sweepExceptions } from "@/lib/exceptions/detect";
import { TEST_ENGINE, testDbForSuite } from "../support/db";
import {
  HOUR,
  MINUTE,
  entitlementUpdated,
  exceptionsFor,
  ingest,
  iso,
  paymentReceived,
  unique,
} from "./support";

/*
 * A sweep and an ingest batch must see each other whole. The race: a sweep reads "this
 * payment has no entitlement update" and raises, an ingest batch carrying that update
 * commits before the sweep does and so cannot see (and close) the raised exception, then the
 * sweep commits and leaves it open. The interleaving is forced, not hoped for: a third
 * connection holds the lock on the sweep's last write (its watermark), so the sweep stops
 * after raising and before committing, exactly where the race needs it; the batch is sent
 * then, and the sweep let go once the batch has either committed or is seen waiting for a
 * lock. PGlite has one connection, so no second writer can interleave there.
 */

const t = testDbForSuite();
/** Holds the lock the sweep stops at. */
let blocker: postgres.Sql;
/** Watches who waits for what. */
let observer: postgres.Sql;

beforeAll(async () => {
  if (t.url) {
    blocker = postgres(t.url, { max: 1, onnotice: () => {} });
    observer = postgres(t.url, { max: 1, onnotice: () => {} });
  }
});

afterAll(async () => {
  await blocker?.end();
  await observer?.end();
});

/** Polls until `check` holds, failing after ten seconds. */
async function until(check: () => Promise<boolean>, what: string) {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Whether a backend of the test database waits for a lock of this kind. */
async function waitingOn(kind: "transactionid" | "advisory") {
  const rows = await observer<{ n: number }[]>`
    select count(*)::int as n from pg_locks l join pg_stat_activity a on a.pid = l.pid
    where a.datname = current_database() and not l.granted and l.locktype = ${kind}`;
  return rows[0]!.n > 0;
}

/**
 * Runs a sweep at `now` that stops before its watermark write (held by `holdWatermark`, run
 * in the blocker's open transaction), sends the batch that resolves `payment`, then lets the
 * sweep finish.
 */
async function raceSweepAgainstIngest(
  payment: string,
  now: Date,
  holdWatermark: (sql: postgres.TransactionSql) => Promise<unknown>,
) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let held!: () => void;
  const holding = new Promise<void>((resolve) => (held = resolve));
  const blocking = blocker.begin(async (sql) => {
    await holdWatermark(sql);
    held();
    await released;
    // Rolled back: the watermark write the sweep is waiting for then goes through unchanged.
    throw new Error("release");
  });
  const blockerDone = blocking.catch((error: Error) => {
    if (error.message !== "release") throw error;
  });
  await holding;

  const sweeping = sweepExceptions(t.db, now);
  await until(() => waitingOn("transactionid"), "the sweep waits to write its watermark");

  let ingested = false;
  const ingesting = ingest(t.db, [entitlementUpdated(payment, iso(Date.now()))]).then((r) => {
    ingested = true;
    return r;
  });
  await until(
    async () => ingested || (await waitingOn("advisory")),
    "the batch has committed or waits for the sweep",
  );

  release();
  await blockerDone;
  expect(await sweeping).toBe(true);
  const [result] = await ingesting;
  expect(result).toMatchObject({ accepted: 1 });
}

describe.skipIf(TEST_ENGINE !== "postgres")("a sweep racing an ingest batch", () => {
  it("leaves no stale exception on the first pass, which looks at everything", async () => {
    const payment = unique("pay");
    const receivedAt = Date.now() - 10 * MINUTE;
    await ingest(t.db, [paymentReceived(payment, iso(receivedAt))]);
    expect(await exceptionsFor(t.db, "entitlement_out_of_sync", payment)).toEqual([]);

    // No watermark yet: the blocker's uncommitted insert of it makes the sweep's wait.
    await raceSweepAgainstIngest(
      payment,
      new Date(receivedAt + 2 * HOUR),
      (sql) => sql`insert into settings (key, value) values ('exception-sweep', '{}')`,
    );

    const [raised] = await exceptionsFor(t.db, "entitlement_out_of_sync", payment);
    // The sweep raised it; the batch, waiting for the sweep, saw it and closed it.
    expect(raised?.status).toBe("resolved");
  });

  it("leaves no stale exception on a pass whose clock is behind the last one", async () => {
    const payment = unique("pay");
    const receivedAt = Date.now() - 10 * MINUTE;
    await ingest(t.db, [paymentReceived(payment, iso(receivedAt))]);

    // The watermark is now two hours ahead (the first test): a pass at ninety minutes is behind.
    await raceSweepAgainstIngest(
      payment,
      new Date(receivedAt + 90 * MINUTE),
      (sql) => sql`select 1 from settings where key = 'exception-sweep' for update`,
    );

    const [raised] = await exceptionsFor(t.db, "entitlement_out_of_sync", payment);
    expect(raised?.status).toBe("resolved");
  });
});
