import { afterAll, beforeAll, expect, test } from "vitest";
import { ingestItems } from "@/lib/ingest/ingest";
import { simulateEvents } from "@/lib/simulator";
import { createTestDb, type TestDb } from "../support/db";
import { kpisWithoutLag, openExceptionKeys, storedEventKeys } from "./support/outcome";
import { chunks, seededRandom, shuffled } from "./support/seeded";

/*
 * Issue 6, fault 5: out-of-order and late data. The same event set, sent in different
 * orders and batchings, must give the same stored events, KPIs and open exceptions.
 * Supersession is decided by (event time, id), never by arrival, which is what this proves.
 */

const DAY = 86_400_000;
const END = Date.parse("2026-11-20T00:00:00Z");
const START = END - 45 * DAY;
const NOW = new Date(END + DAY);
const events = simulateEvents({ seed: 7, from: START, to: END, since: START, customers: 60 });
const dbs: TestDb[] = [];

async function ingestInOrder(order: readonly unknown[], batchSize: number) {
  const t = await createTestDb();
  dbs.push(t);
  for (const batch of chunks(order, batchSize))
    await ingestItems(t.db, batch, { apiKeyId: null, channel: "api" });
  return t;
}

let reference: { keys: string[]; kpis: unknown; exceptions: string[] };

beforeAll(async () => {
  const t = await ingestInOrder(events, 500);
  reference = {
    keys: await storedEventKeys(t.db),
    kpis: await kpisWithoutLag(t.db, new Date(START), new Date(END), NOW),
    exceptions: await openExceptionKeys(t.db),
  };
}, 120_000);

afterAll(async () => {
  await Promise.all(dbs.map((t) => t.close()));
});

test("the reference run is not trivial", () => {
  expect(events.length).toBeGreaterThan(1000);
  expect(reference.keys).toHaveLength(events.length);
  expect(reference.exceptions.length).toBeGreaterThan(3);
});

test.each([1, 2, 3])(
  "shuffled order #%i with late duplicates gives the same outcome",
  async (seed) => {
    const random = seededRandom(seed);
    // Shuffle, and send a tenth of the events a second time at the end (late retries).
    const order = shuffled(events, random);
    const resent = order.filter(() => random() < 0.1);
    const t = await ingestInOrder([...order, ...resent], 100 + seed * 150);
    expect(await storedEventKeys(t.db)).toEqual(reference.keys);
    expect(await kpisWithoutLag(t.db, new Date(START), new Date(END), NOW)).toEqual(reference.kpis);
    expect(await openExceptionKeys(t.db)).toEqual(reference.exceptions);
  },
  120_000,
);
