import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../support/db";
import { bucket, checkpoint, entityRow, ingest, kpis, reconResult } from "./support";

/*
 * Each amount and count of an event is within ±(2^53 − 1), JavaScript's exact integers, but
 * their sums need not be. A sum is an integer end to end: bigint and numeric in SQL, and in
 * the report a JSON number while it is within ±(2^53 − 1), a string of its decimal digits
 * beyond, so no digit is ever rounded away.
 */

let t: TestDb;

beforeAll(async () => {
  t = await createTestDb();
});

afterAll(async () => {
  await t?.close();
});

const MAX = Number.MAX_SAFE_INTEGER; // 9007199254740991
// MAX + (MAX − 1) = 18014398509481981, odd, so no float holds it: Number() gives …980 or …982.
const SUM = "18014398509481981";

describe("sums beyond 2^53", () => {
  beforeAll(async () => {
    const result = (key: string, actualMinor: number) =>
      reconResult({
        runId: "BIG",
        key,
        kind: "billing_vs_erp",
        entity: "EU",
        periodEnd: "2025-05-02T12:00:00Z",
        currency: "EUR",
        expectedMinor: 0,
        actualMinor,
      });
    const window = (meter: string, expectedCount: number, receivedCount: number) =>
      checkpoint({
        entity: "EU",
        meter,
        windowStart: "2025-05-02T10:00:00Z",
        windowEnd: "2025-05-02T11:00:00Z",
        expectedCount,
        receivedCount,
      });
    await ingest(t.db, [
      result("a", MAX),
      result("b", MAX - 1),
      // Small ones in another currency stay plain numbers.
      { ...result("c", 7), data: { ...result("c", 7).data, currency: "USD" } },
      window("m1", MAX, 0),
      window("m2", MAX - 1, 2),
    ]);
  });

  it("absolute variance is exact, a decimal string beyond the safe range", async () => {
    for (const report of [
      await kpis(t.db, "2025-05-02T00:00:00Z", "2025-05-03T00:00:00Z"),
      // A daily series and a range of whole days read other tables than an hourly one.
      await kpis(t.db, "2025-05-01T00:00:00Z", "2025-05-04T00:00:00Z"),
    ]) {
      expect(report.reconciliation.absVarianceMinor).toEqual({ EUR: SUM, USD: 7 });
      expect(entityRow(report, "EU").reconciliation.absVarianceMinor).toEqual({
        EUR: SUM,
        USD: 7,
      });
      expect(report.details.reconciliationByKind.billing_vs_erp!.absVarianceMinor).toEqual({
        EUR: SUM,
        USD: 7,
      });
    }
    const hourly = await kpis(t.db, "2025-05-02T00:00:00Z", "2025-05-03T00:00:00Z");
    expect(bucket(hourly, "2025-05-02T12:00:00Z").reconciliation.absVarianceMinor.EUR).toBe(SUM);
  });

  it("usage sums are exact, and a sum within the safe range stays a number", async () => {
    for (const [from, to] of [
      ["2025-05-02T00:00:00Z", "2025-05-03T00:00:00Z"],
      ["2025-05-01T00:00:00Z", "2025-05-04T00:00:00Z"],
      // Part-days read from the checkpoints.
      ["2025-05-02T10:30:00Z", "2025-05-02T11:30:00Z"],
    ] as const) {
      const report = await kpis(t.db, from, to);
      // expected MAX + MAX − 1, received 2, missing MAX + MAX − 3.
      expect(report.usageCompleteness).toEqual({
        expected: SUM,
        received: 2,
        missing: "18014398509481979",
        ratio: 2 / 18014398509481981,
      });
      expect(entityRow(report, "EU").usageCompleteness.expected).toBe(SUM);
      expect(report.details.usageBySourceMeter.map((r) => [r.meter, r.expected])).toEqual([
        ["m1", MAX],
        ["m2", MAX - 1],
      ]);
    }
  });
});
