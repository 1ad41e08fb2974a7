import { beforeAll, describe, expect, it } from "vitest";
import { summarizeCheckpoints } from "@/db/queries/drilldown-usage";
import { KpiReport } from "@/lib/contract/kpi-report";
import { ingestItems } from "@/lib/ingest/ingest";
import { testDbForSuite } from "../support/db";
import { bucket, checkpoint, entityRow, ingest, kpis, reconResult, kpisOnDay } from "./support";

/*
 * Each amount and count of an event is within ±(2^53 − 1), JavaScript's exact integers, but
 * their sums need not be. A sum is an integer end to end: bigint and numeric in SQL, and in
 * the report a JSON number while it is within ±(2^53 − 1), a string of its decimal digits
 * beyond, so no digit is ever rounded away.
 */

const t = testDbForSuite();

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
      await kpisOnDay(t.db, "2025-05-02"),
      // A daily series and a range of whole days read other tables than an hourly one.
      await kpis(t.db, "2025-05-01T00:00:00Z", "2025-05-04T00:00:00Z"),
    ]) {
      expect(report.reconciliation.absVarianceMinor).toEqual({ EUR: SUM, USD: 7 });
      expect(entityRow(report, "EU").reconciliation.absVarianceMinor).toEqual({ EUR: SUM, USD: 7 });
      expect(report.details.reconciliationByKind.billing_vs_erp!.absVarianceMinor).toEqual({
        EUR: SUM,
        USD: 7,
      });
    }
    const hourly = await kpisOnDay(t.db, "2025-05-02");
    // The answer, as JSON, has the shape the OpenAPI document gives (KpiReport).
    const parsed = KpiReport.safeParse(JSON.parse(JSON.stringify(hourly)));
    expect(parsed.error).toBeUndefined();
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
      // The drill-down's summary line says the same digits.
      expect(
        await summarizeCheckpoints(t.db, { from: new Date(from), to: new Date(to), entity: null }),
      ).toMatchObject({ expected: SUM, received: "2", missing: "18014398509481979" });
      expect(report.details.usageBySourceMeter.map((r) => [r.meter, r.expected])).toEqual([
        ["m1", MAX],
        ["m2", MAX - 1],
      ]);
    }
  });
});

describe("a usage rollup past 2^63", () => {
  // The daily and monthly rollups keep each sum per entity, source and meter as a 64-bit
  // integer. 1,024 windows of the largest count fill one to 2^63 − 1,024; one more would
  // carry it past 2^63 − 1, and is answered as rejected rather than stored rounded.
  it("rejects the checkpoint that would overflow it and keeps the others", async () => {
    const day = Date.parse("2025-05-09T00:00:00Z");
    const window = (i: number) =>
      checkpoint({
        entity: "EU",
        meter: "overflow",
        windowStart: new Date(day + i * 1000).toISOString(),
        windowEnd: new Date(day + (i + 1) * 1000).toISOString(),
        expectedCount: MAX,
        receivedCount: MAX,
      });
    await ingest(
      t.db,
      Array.from({ length: 1024 }, (_, i) => window(i)),
    );
    const over = window(1024);
    const fits = checkpoint({
      entity: "EU",
      meter: "other",
      windowStart: "2025-05-09T10:00:00Z",
      windowEnd: "2025-05-09T11:00:00Z",
      expectedCount: 1,
      receivedCount: 1,
    });
    const result = await ingestItems(t.db, [fits, over], { apiKeyId: null, channel: "api" });
    expect(result.accepted).toBe(1);
    expect(result.rejected).toEqual([
      { index: 1, id: over.id, errors: [expect.stringMatching(/could not be stored/)] },
    ]);
    const report = await kpisOnDay(t.db, "2025-05-09");
    expect(report.usageCompleteness.expected).toBe((1024n * BigInt(MAX) + 1n).toString());
  }, 120_000);
});
