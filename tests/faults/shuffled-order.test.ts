import { afterAll, beforeAll, expect, test } from "vitest";
import { ingestItems } from "@/lib/ingest/ingest";
import { simulateEvents } from "@/lib/simulator";
import { createTestDb, type TestDb } from "../support/db";
import { kpisWithoutLag, openExceptionKeys, storedEventKeys } from "./support/outcome";
import { chunks, seededRandom, shuffled } from "./support/seeded";

/*
 * Out-of-order and late data. The same event set, sent in different
 * orders and batchings, must give the same stored events, KPIs and open exceptions.
 * Supersession is decided by (event time, id, source), never by arrival, which is what this
 * proves, ties included (twins below).
 */

const DAY = 86_400_000;
const END = Date.parse("2026-11-20T00:00:00Z");
const START = END - 45 * DAY;
const NOW = new Date(END + DAY);
const simulated = simulateEvents({ seed: 7, from: START, to: END, since: START, customers: 60 });

/** An instant written with a +02:00 offset instead of Z: the same instant, other text. */
const plusTwo = (instant: string) =>
  new Date(Date.parse(instant) + 2 * 3_600_000).toISOString().replace("Z", "+02:00");

/**
 * Twins of every 25th event of each type that restates a record: the same time and id from another
 * source, with other figures (the greater source must win, in any order and batching), and
 * for a usage checkpoint the same window written with an offset under another id (one
 * window; the greater id wins). Ties that arrival order once decided.
 */
function twin(event: (typeof simulated)[number]): (typeof simulated)[number] | null {
  const data = event.data as Record<string, unknown>;
  switch (event.type) {
    case "usage.checkpoint":
      return {
        ...event,
        id: `${event.id}-offset`,
        data: {
          ...data,
          windowStart: plusTwo(String(data.windowStart)),
          windowEnd: plusTwo(String(data.windowEnd)),
          receivedCount: Math.max(Number(data.receivedCount) - 7, 0),
        },
      };
    case "invoice.issued":
      return { ...event, source: `${event.source}/twin`, data: { ...data, amountMinor: 1 } };
    case "payment.received":
      return { ...event, source: `${event.source}/twin`, data: { ...data, invoiceId: "INV-NONE" } };
    case "reconciliation.result":
      return {
        ...event,
        source: `${event.source}/twin`,
        data: { ...data, actualMinor: Number(data.actualMinor) + 5 },
      };
    case "erp.posting.attempted":
      return {
        ...event,
        source: `${event.source}/twin`,
        data: { ...data, status: "failed", errorCode: "" },
      };
    default:
      return null;
  }
}
const perType = new Map<string, number>();
const twins = simulated.flatMap((event) => {
  const seen = perType.get(event.type) ?? 0;
  perType.set(event.type, seen + 1);
  const made = seen % 25 === 0 ? twin(event) : null;
  return made ? [made] : [];
});
const events = [...simulated, ...twins];
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
  expect(new Set(twins.map((e) => e.type)).size).toBe(5);
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
