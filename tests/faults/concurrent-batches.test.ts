import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Db } from "@/db/client";
import { queryRows } from "@/db/rows";
import { drainDetection, sweepExceptions } from "@/lib/exceptions/detect";
import { ingestItems } from "@/lib/ingest/ingest";
import type { CloudEvent } from "@/lib/simulator";
import { createTestDb, TEST_ENGINE, type TestDb } from "../support/db";
import { rollupDrift } from "../support/rollup-drift";
import {
  entitlementUpdated,
  exceptionsFor,
  HOUR,
  ingest,
  iso,
  paymentReceived,
  unique,
} from "../exceptions/support";
import { chunks, seededRandom, shuffled } from "./support/seeded";
import {
  cleanRunOutcome,
  exceptionsRaisedTwice,
  outcomeOf,
  workloadEvents,
  type Outcome,
} from "./support/workload";

/*
 * Batches that commit concurrently, and detection that runs after the commit. Exception
 * detection is queued inside a batch's transaction and carried out after it commits, one
 * drain at a time (lib/exceptions/detect.ts, drainDetection); the rollup triggers run inside
 * it. So the windows are: batches about the same invoice, payment, posting or usage window
 * committing at the same moment (each must see the other's rows, in its triggers or its
 * detection), and a process that dies after the commit and before the detection (the queued
 * detection must still be carried out, once). The outcome must equal one batch at a time in
 * order: the same events, KPIs and open exceptions, no exception row twice, rollup tables
 * equal to their definition over the stored rows, and an empty queue.
 */

const events = workloadEvents(23);
const CLIENTS = 8;
const dbs: TestDb[] = [];
let reference: Outcome;

beforeAll(async () => {
  reference = await cleanRunOutcome(events);
}, 300_000);

afterAll(async () => {
  await Promise.all(dbs.map((t) => t.close()));
});

async function freshDb() {
  const t = await createTestDb();
  dbs.push(t);
  return t;
}

/** Sends every batch once, `clients` at a time, as the ingestion API's clients would. */
async function ingestConcurrently(db: Db, batches: readonly CloudEvent[][], clients: number) {
  let next = 0;
  const client = async () => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      const result = await ingestItems(db, batch, { apiKeyId: null, channel: "api" });
      expect(result.rejected).toEqual([]);
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
}

async function queuedDetections(db: Db): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from detection_queue`,
  );
  return row!.n;
}

async function expectReferenceOutcome(db: Db) {
  const outcome = await outcomeOf(db);
  expect(outcome.keys).toEqual(reference.keys);
  expect(outcome.kpis).toEqual(reference.kpis);
  expect(outcome.exceptions).toEqual(reference.exceptions);
  expect(await exceptionsRaisedTwice(db)).toEqual([]);
  expect(await rollupDrift(db)).toEqual([]);
  expect(await queuedDetections(db)).toBe(0);
}

test("the reference outcome is not trivial", () => {
  expect(reference.keys).toHaveLength(events.length);
  expect(reference.exceptions.length).toBeGreaterThan(3);
});

test.each([1, 2])(
  `${CLIENTS} concurrent clients, shuffled order #%i with late resends, equal one batch at a time`,
  async (seed) => {
    const random = seededRandom(seed);
    const order = shuffled(events, random);
    // A tenth sent a second time, late and mixed into other batches: duplicates detect nothing.
    const resent = shuffled(
      order.filter(() => random() < 0.1),
      random,
    );
    const t = await freshDb();
    await ingestConcurrently(t.db, chunks([...order, ...resent], 40 + seed * 20), CLIENTS);
    await expectReferenceOutcome(t.db);
  },
  300_000,
);

/**
 * Runs `work` while another session holds the detection lock (lib/exceptions/detect.ts), so
 * batches sent meanwhile commit and then wait to detect. `waiters(n)` polls until n
 * sessions wait for the lock and answers their pids.
 */
async function withDetectionHeld(
  t: TestDb,
  work: (waiters: (n: number) => Promise<number[]>, observer: postgres.Sql) => Promise<void>,
) {
  const blocker = postgres(t.url!, { max: 1, onnotice: () => {} });
  const observer = postgres(t.url!, { max: 1, onnotice: () => {} });
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let held!: () => void;
  const holding = new Promise<void>((resolve) => (held = resolve));
  const blocking = blocker.begin(async (sql) => {
    await sql`select pg_advisory_xact_lock(7340004)`;
    held();
    await released;
  });
  const waiters = async (n: number) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const rows = await observer<{ pid: number }[]>`
        select l.pid from pg_locks l join pg_stat_activity a on a.pid = l.pid
        where a.datname = current_database() and l.locktype = 'advisory' and not l.granted`;
      if (rows.length >= n) return rows.map((r) => r.pid);
      if (Date.now() > deadline) throw new Error(`fewer than ${n} sessions waited to detect`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  try {
    await holding;
    await work(waiters, observer);
  } finally {
    release();
    await blocking;
    await blocker.end();
    await observer.end();
  }
}

/**
 * Ingests `batch` the way a process killed after its commit leaves it: the batch commits
 * and waits to detect, and its connection is terminated (kill -9, as the database sees it).
 * Stored and queued, not detected.
 */
async function ingestAndDieBeforeDetection(t: TestDb, batch: readonly CloudEvent[]) {
  await withDetectionHeld(t, async (waiters, observer) => {
    // The request's failure is taken at once: its connection may close, and the request fail,
    // before the terminating query answers (a rejection nobody holds yet fails the run).
    const dying = ingestItems(t.db, batch, { apiKeyId: null, channel: "api" }).then(
      () => null,
      (error: unknown) => error,
    );
    const [pid] = await waiters(1);
    await observer`select pg_terminate_backend(${pid!})`;
    // Looked at once the backend is gone, when the request has (nearly always) failed: the lost
    // connection must reach the caller as an error, and leave no rejection unhandled.
    while ((await observer`select 1 from pg_stat_activity where pid = ${pid!}`).length > 0)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await dying).toBeInstanceOf(Error);
  });
}

async function count(db: Db, table: "events" | "exceptions") {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from ${sql.raw(table)}`,
  );
  return row!.n;
}

describe.skipIf(TEST_ENGINE !== "postgres")(
  "a process that dies between commit and detection",
  () => {
    const [first, ...rest] = chunks(events, 250);

    test("leaves the batch's detection queued; the resent batch's drain carries it out once", async () => {
      const t = await freshDb();
      await ingestAndDieBeforeDetection(t, first!);
      expect(await count(t.db, "events")).toBe(first!.length);
      expect(await queuedDetections(t.db)).toBe(1);
      expect(await count(t.db, "exceptions")).toBe(0);

      // The client never got its 200 and resends: all duplicates, and the drain detects them.
      const resent = await ingestItems(t.db, first!, { apiKeyId: null, channel: "api" });
      expect(resent).toMatchObject({ accepted: 0, duplicates: first!.length });
      expect(await queuedDetections(t.db)).toBe(0);
      expect(await drainDetection(t.db)).toBe(0);

      await ingestConcurrently(t.db, rest, 4);
      await expectReferenceOutcome(t.db);
    }, 300_000);

    test("a payment and its entitlement, committed before either is detected, leave nothing open", async () => {
      const t = await freshDb();
      const payment = unique("pay");
      const unmatched = unique("pay");
      const receivedAt = Date.now() - 2 * HOUR;
      const answers: Promise<unknown>[] = [];
      await withDetectionHeld(t, async (waiters) => {
        // Both payments are past their hour: detected without an entitlement, each raises.
        answers.push(
          ingest(t.db, [
            paymentReceived(payment, iso(receivedAt)),
            paymentReceived(unmatched, iso(receivedAt)),
          ]),
        );
        await waiters(1);
        answers.push(ingest(t.db, [entitlementUpdated(payment, iso(Date.now()))]));
        await waiters(2);
        expect(await queuedDetections(t.db)).toBe(2);
      });
      await Promise.all(answers);
      // The payment batch was detected (its other payment is open), after the entitlement had
      // committed: nothing is open for the payment that has one.
      const open = (rows: { status: string }[]) => rows.filter((x) => x.status !== "resolved");
      expect(open(await exceptionsFor(t.db, "entitlement_out_of_sync", unmatched))).toHaveLength(1);
      expect(open(await exceptionsFor(t.db, "entitlement_out_of_sync", payment))).toEqual([]);
      expect(await queuedDetections(t.db)).toBe(0);
      expect(await exceptionsRaisedTwice(t.db)).toEqual([]);
    }, 60_000);

    test("the sweep carries out a queued detection that no request drains", async () => {
      const now = new Date();
      const clean = await freshDb();
      await ingestItems(clean.db, first!, { apiKeyId: null, channel: "api" });
      await sweepExceptions(clean.db, now);

      const t = await freshDb();
      await ingestAndDieBeforeDetection(t, first!);
      expect(await queuedDetections(t.db)).toBe(1);
      expect(await sweepExceptions(t.db, now)).toBe(true);
      expect(await queuedDetections(t.db)).toBe(0);
      expect((await outcomeOf(t.db)).exceptions).toEqual((await outcomeOf(clean.db)).exceptions);
      expect(await exceptionsRaisedTwice(t.db)).toEqual([]);
    }, 120_000);
  },
);
