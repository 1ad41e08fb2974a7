import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { lockDetection, takeQueuedDetections } from "@/db/queries/detection";
import { insertEvents } from "@/db/queries/ingest";
import { queryRows } from "@/db/rows";
import { validateCloudEvent, type ValidEvent } from "@/lib/contract";
import {
  DEFAULT_DETECTION,
  detectScope,
  drainDetection,
  mergeScopes,
  queueDetectionOf,
  receivedTogether,
  type DetectionScope,
} from "@/lib/exceptions/detect";
import { eventRow } from "@/lib/ingest/ingest";
import { createTestDb, type TestDb } from "../support/db";
import { chunks } from "../faults/support/seeded";
import { workloadEvents } from "../faults/support/workload";
import { HOUR, checkpoint, entitlementUpdated, iso, paymentReceived, unique } from "./support";

const SECOND = 1_000;

/*
 * A drain carries out every queued batch's detection as one, over the union of their keys
 * (lib/exceptions/detect.ts, drainDetection). On the same stored data and the same queue, it
 * must leave what carrying them out one by one, each at its own batch's `now`, leaves: the
 * same exceptions (raised, closed, reopened, with the same details, amounts, opening times
 * and severities), the same audit actions, the same incidents.
 */

const dbs: TestDb[] = [];
afterAll(async () => {
  await Promise.all(dbs.map((t) => t.close()));
});

async function freshDb() {
  const t = await createTestDb();
  dbs.push(t);
  return t;
}

/** Stores a batch and queues its detection at `now`, as ingestItems does, without draining. */
async function storeQueued(db: Db, items: readonly unknown[], now: Date) {
  const events: ValidEvent[] = items.map((item) => {
    const result = validateCloudEvent(item);
    if (!result.ok) throw new Error(result.errors.join("; "));
    return result.event;
  });
  await db.transaction(async (tx) => {
    const rows = events.map((e) => eventRow(e, now.toISOString()));
    const inserted = await insertEvents(tx, rows, null);
    const stored = new Set(inserted.map((r) => `${r.source}\u0000${r.event_id}`));
    await queueDetectionOf(
      tx,
      events.filter((e) => stored.has(`${e.source}\u0000${e.id}`)),
      now,
    );
  });
}

/** The drain as it was before batches were merged: each queued batch alone, oldest first. */
async function drainOneByOne(db: Db): Promise<number> {
  return db.transaction(async (tx) => {
    await lockDetection(tx);
    const queued = (await takeQueuedDetections(tx)) as { detectAt: Date; scope: DetectionScope }[];
    for (const batch of queued)
      await detectScope(tx, mergeScopes([batch]).scope, batch.detectAt, DEFAULT_DETECTION);
    return queued.length;
  });
}

/** What detection left: every exception as it stands, the audit actions, the incidents. */
async function detected(db: Db) {
  const exceptions = await queryRows<Record<string, unknown>>(
    db,
    sql`select type, problem_key, status, title, entity, amount_minor::text, currency, details,
          severity, opened_at, closed_by, resolution_code, version
        from exceptions order by type, problem_key`,
  );
  const actions = await queryRows<{ action: string; n: number }>(
    db,
    sql`select action, count(*)::int as n from audit_log where target_type = 'exception'
        group by action order by action`,
  );
  const incidents = await queryRows<{ members: string[] }>(
    db,
    sql`select array_agg(x.type || '|' || x.problem_key order by x.type, x.problem_key) as members
        from exceptions x where x.incident_id is not null
        group by x.incident_id order by 1`,
  );
  const queued = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from detection_queue`,
  );
  return { exceptions, actions, incidents, queued: queued[0]!.n };
}

describe("a drain of several queued batches", () => {
  it("leaves what detecting them one by one leaves, on a month of telemetry", async () => {
    const [oneByOne, merged] = [await freshDb(), await freshDb()];
    const batches = chunks(workloadEvents(31), 400);
    // A second apart, as concurrent requests would be received.
    const first = Date.parse("2026-11-09T00:00:00Z");
    for (const t of [oneByOne, merged])
      for (const [i, batch] of batches.entries())
        await storeQueued(t.db, batch, new Date(first + i * SECOND));

    expect(await drainOneByOne(oneByOne.db)).toBe(batches.length);
    expect(await drainDetection(merged.db)).toBe(batches.length);

    const expected = await detected(oneByOne.db);
    expect(expected.exceptions.length).toBeGreaterThan(10);
    expect(expected.incidents.length).toBeGreaterThan(0);
    expect(await detected(merged.db)).toEqual(expected);
  }, 300_000);

  it("judges each payment's and usage window's deadline at its own batch's receipt", async () => {
    const [oneByOne, merged] = [await freshDb(), await freshDb()];
    const due = Date.parse("2026-11-09T08:00:00Z");
    const at = iso(due);
    const early = unique("pay"); // its batch is received a second before its hour is up
    const late = unique("pay"); // its batch a second after
    const both = unique("pay"); // in both batches: judged at the later one
    const synced = unique("pay"); // its entitlement arrives with the second batch
    const window = (meter: string) => checkpoint(meter, iso(due - HOUR), at, 1_000, 10, at);
    const [earlyMeter, lateMeter] = [unique("meter"), unique("meter")];
    const batches = [
      [
        paymentReceived(early, at),
        paymentReceived(both, at),
        paymentReceived(synced, at),
        window(earlyMeter),
      ],
      [
        paymentReceived(late, at),
        paymentReceived(both, at),
        entitlementUpdated(synced, iso(due + 30 * 60_000)),
        window(lateMeter),
      ],
    ];
    // Both an hour (the entitlement deadline and the usage grace) after `due`, give or take a second.
    const nows = [new Date(due + HOUR - SECOND), new Date(due + HOUR + SECOND)];
    for (const t of [oneByOne, merged])
      for (const [i, batch] of batches.entries()) await storeQueued(t.db, batch, nows[i]!);

    await drainOneByOne(oneByOne.db);
    await drainDetection(merged.db);
    const expected = await detected(oneByOne.db);
    expect(expected.exceptions.map((x) => [x.type, x.problem_key])).toEqual([
      ["entitlement_out_of_sync", [both, late].sort()[0]],
      ["entitlement_out_of_sync", [both, late].sort()[1]],
      ["usage_incomplete", expect.stringContaining(`|${lateMeter}|`)],
    ]);
    expect(await detected(merged.db)).toEqual(expected);
  }, 300_000);

  it("keeps batches received apart (replayed history) to their own detection and stamps", async () => {
    const [oneByOne, merged] = [await freshDb(), await freshDb()];
    const batches = chunks(workloadEvents(7), 300).slice(0, 3);
    // History replayed a day apart, then a batch received now: none of them merge.
    const nows = [
      new Date("2026-11-02T00:00:00Z"),
      new Date("2026-11-03T00:00:00Z"),
      new Date("2026-11-09T00:00:00Z"),
    ];
    expect(receivedTogether(nows.map((detectAt) => ({ detectAt })))).toHaveLength(3);
    for (const t of [oneByOne, merged])
      for (const [i, batch] of batches.entries()) await storeQueued(t.db, batch, nows[i]!);
    await drainOneByOne(oneByOne.db);
    await drainDetection(merged.db);
    const stamps = (db: Db) =>
      queryRows<Record<string, unknown>>(
        db,
        sql`select type, problem_key, opened_at, updated_at, closed_at, severity
            from exceptions order by type, problem_key`,
      );
    const expected = await stamps(oneByOne.db);
    expect(expected.length).toBeGreaterThan(0);
    expect(await stamps(merged.db)).toEqual(expected);
  }, 300_000);

  it("merges the batches received within moments, in queue order", () => {
    const at = (s: number) => ({
      detectAt: new Date(Date.parse("2026-11-09T00:00:00Z") + s * SECOND),
    });
    const queue = [at(0), at(2), at(1), at(5), at(6), at(-3600), at(-3599)];
    expect(receivedTogether(queue).map((run) => run.length)).toEqual([4, 1, 2]);
  });

  it("merges the keys: each once, a payment or usage window at its latest batch's receipt", () => {
    const scope = (over: Partial<DetectionScope>): DetectionScope => ({
      invoices: [],
      postings: [],
      disputed: [],
      runKeys: [],
      contracts: [],
      corrections: [],
      payments: [],
      checkpoints: [],
      ...over,
    });
    const window = {
      source: "s",
      entity: "E",
      meter: "m",
      windowStart: "2026-11-01T10:00:00.000Z",
      windowEnd: "2026-11-01T11:00:00.000Z",
    };
    const a = new Date("2026-11-09T00:00:02.000Z");
    const b = new Date("2026-11-09T00:00:01.000Z");
    const merged = mergeScopes([
      {
        detectAt: a,
        scope: scope({
          invoices: ["i1"],
          payments: ["p1", "p2", "p1"],
          runKeys: [{ runId: "r", key: "k" }],
          checkpoints: [window],
        }),
      },
      {
        detectAt: b,
        scope: scope({
          invoices: ["i1", "i2"],
          payments: ["p2"],
          runKeys: [{ runId: "r", key: "k" }],
          checkpoints: [window, { ...window, meter: "n" }],
          rates: [{ currency: "EUR", reportingCurrency: "USD", from: "2026-11-01" }],
        }),
      },
    ]);
    expect(merged.now).toEqual(a);
    expect(merged.scope.invoices).toEqual(["i1", "i2"]);
    expect(merged.scope.runKeys).toEqual([{ runId: "r", key: "k" }]);
    expect(merged.scope.rates).toHaveLength(1);
    // Queued oldest first, but a later place in the queue need not mean a later receipt. A key
    // received at the drain's `now` (the latest receipt) is judged at it without saying so.
    expect(merged.scope.payments).toEqual([
      { paymentId: "p1", detectAt: undefined },
      { paymentId: "p2", detectAt: undefined },
    ]);
    expect(merged.scope.checkpoints).toEqual([
      { ...window, detectAt: undefined },
      { ...window, meter: "n", detectAt: b.toISOString() },
    ]);
  });
});
