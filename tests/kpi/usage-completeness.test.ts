import { beforeAll, describe, expect, it } from "vitest";
import { testDbForSuite } from "../support/db";
import { bucket, checkpoint, entityRow, ingest, kpis, figureOnDay, kpisOnDay } from "./support";

/*
 * Usage completeness = Σ receivedCount / Σ expectedCount over the current (non-superseded)
 * usage.checkpoints whose windowEnd falls in [from, to); missing = Σ max(expected − received, 0).
 * Also the shape every KPI shares: the hour/day series and the per-entity breakdown.
 */

const t = testDbForSuite();

describe("usage completeness", () => {
  // 2025-03-02: four checkpoints from two sources and entities.
  //   /billing-eu  EU api_calls  10–11h  expected 1000  received  990  missing  10
  //   /billing-eu  EU storage    10–11h  expected  500  received  500  missing   0
  //   /billing-us  US api_calls  11–12h  expected 2000  received 1900  missing 100
  //   /billing-us  US storage    11–12h  expected  100  received  120  missing   0 (not −20)
  //   Σ expected 3600, Σ received 3510, missing 110, ratio 3510 / 3600 = 0.975
  // The EU rows together (1490 / 1500) and the US rows together (2020 / 2100).
  const EU_TOTAL = { expected: 1500, received: 1490, missing: 10, ratio: 1490 / 1500 };
  const US_TOTAL = { expected: 2100, received: 2020, missing: 100, ratio: 2020 / 2100 };

  beforeAll(async () => {
    // One row of the table above: the hour window from `h` to h + 1 on 2025-03-02.
    const row = (
      source: string,
      entity: string,
      meter: string,
      h: number,
      expected: number,
      received: number,
    ) => {
      const hour = (at: number) => `2025-03-02T${String(at).padStart(2, "0")}:00:00Z`;
      return checkpoint(
        {
          entity,
          meter,
          windowStart: hour(h),
          windowEnd: hour(h + 1),
          expectedCount: expected,
          receivedCount: received,
        },
        { source },
      );
    };
    await ingest(t.db, [
      row("/billing-eu", "EU", "api_calls", 10, 1000, 990),
      row("/billing-eu", "EU", "storage", 10, 500, 500),
      row("/billing-us", "US", "api_calls", 11, 2000, 1900),
      row("/billing-us", "US", "storage", 11, 100, 120),
    ]);
  });

  it("sums received over expected, with the missing count never negative per checkpoint", async () => {
    expect(await figureOnDay(t.db, "2025-03-02", "usageCompleteness")).toEqual({
      expected: 3600,
      received: 3510,
      missing: 110,
      ratio: 0.975,
    });
  });

  it("breaks it down per source and meter", async () => {
    const report = await kpisOnDay(t.db, "2025-03-02");
    expect(report.details.usageBySourceMeter).toEqual([
      {
        source: "/billing-eu",
        meter: "api_calls",
        expected: 1000,
        received: 990,
        missing: 10,
        ratio: 0.99,
      },
      {
        source: "/billing-eu",
        meter: "storage",
        expected: 500,
        received: 500,
        missing: 0,
        ratio: 1,
      },
      {
        source: "/billing-us",
        meter: "api_calls",
        expected: 2000,
        received: 1900,
        missing: 100,
        ratio: 0.95,
      },
      {
        source: "/billing-us",
        meter: "storage",
        expected: 100,
        received: 120,
        missing: 0,
        ratio: 1.2,
      },
    ]);
  });

  it("filters by entity: EU alone is 1490 / 1500", async () => {
    const report = await kpisOnDay(t.db, "2025-03-02", { entity: "EU" });
    expect(report.usageCompleteness).toEqual(EU_TOTAL);
    expect(report.details.usageBySourceMeter.map((r) => r.source)).toEqual([
      "/billing-eu",
      "/billing-eu",
    ]);
    expect(report.byEntity.map((r) => r.entity)).toEqual(["EU"]);
  });

  it("gives the same numbers per entity in the breakdown", async () => {
    const report = await kpisOnDay(t.db, "2025-03-02");
    expect(report.byEntity.map((r) => r.entity)).toEqual(["EU", "US"]);
    expect(entityRow(report, "EU").usageCompleteness).toEqual(EU_TOTAL);
    // US: 2000 + 100 expected, 1900 + 120 received = 2020 / 2100.
    expect(entityRow(report, "US").usageCompleteness).toEqual(US_TOTAL);
  });

  it("buckets by hour (of windowEnd) for a range of 48 hours or less", async () => {
    const report = await kpis(t.db, "2025-03-01T00:00:00Z", "2025-03-03T00:00:00Z"); // exactly 48 h
    expect(report.range.bucket).toBe("hour");
    // Only buckets with data are listed: windowEnd 11:00 (EU) and 12:00 (US).
    expect(report.series.map((s) => s.bucket)).toEqual([
      "2025-03-02T11:00:00Z",
      "2025-03-02T12:00:00Z",
    ]);
    expect(bucket(report, "2025-03-02T11:00:00Z").usageCompleteness.ratio).toBe(1490 / 1500);
    expect(bucket(report, "2025-03-02T12:00:00Z").usageCompleteness.ratio).toBe(2020 / 2100);
  });

  it("buckets by UTC day for a range longer than 48 hours", async () => {
    const report = await kpis(t.db, "2025-03-01T00:00:00Z", "2025-03-03T00:00:00.001Z"); // 48 h + 1 ms
    expect(report.range.bucket).toBe("day");
    expect(report.series.map((s) => s.bucket)).toEqual(["2025-03-02T00:00:00Z"]);
    expect(bucket(report, "2025-03-02T00:00:00Z").usageCompleteness.ratio).toBe(0.975);
  });

  it("counts a checkpoint by its windowEnd: exactly at from is in, exactly at to is out", async () => {
    // [11:00, 12:00) holds the EU windows (ending 11:00) but not the US ones (ending 12:00).
    const report = await kpis(t.db, "2025-03-02T11:00:00Z", "2025-03-02T12:00:00Z");
    expect(report.usageCompleteness).toEqual(EU_TOTAL);
    // One millisecond later at both ends: only the US windows.
    const later = await kpis(t.db, "2025-03-02T11:00:00.001Z", "2025-03-02T12:00:00.001Z");
    expect(later.usageCompleteness).toEqual(US_TOTAL);
  });

  it("is null, not 0, when no checkpoint ends in the range or the entity has none", async () => {
    const empty = { expected: 0, received: 0, missing: 0, ratio: null };
    expect((await kpisOnDay(t.db, "2025-03-05")).usageCompleteness).toEqual(empty);
    expect((await kpisOnDay(t.db, "2025-03-02", { entity: "JP" })).usageCompleteness).toEqual(
      empty,
    );
  });
});

describe("usage checkpoint supersession", () => {
  // One window, 2025-03-10 10–11h, EU api_calls, expected 1000. The first report says 800
  // received; the later one (by event time) says 1000. Only the later one counts, so the
  // ratio is 1000 / 1000 = 1, never (800 + 1000) / 2000 = 0.9.
  const window = { entity: "EU", meter: "api_calls", expectedCount: 1000 };
  type Fixture = ReturnType<typeof checkpoint>;

  /** The 10–11h window of `day` reported twice: `early` at 11:05, `late` at 12:00 (event time). */
  const reportedTwice = (day: string, earlyCount: number, lateCount: number) => {
    const w = { ...window, windowStart: `${day}T10:00:00Z`, windowEnd: `${day}T11:00:00Z` };
    return {
      early: checkpoint({ ...w, receivedCount: earlyCount }, { time: `${day}T11:05:00Z` }),
      late: checkpoint({ ...w, receivedCount: lateCount }, { time: `${day}T12:00:00Z` }),
    };
  };

  it.each([
    {
      name: "a later checkpoint replaces an earlier one that arrived before it",
      day: "2025-03-10",
      counts: [800, 1000] as const,
      batches: (early: Fixture, late: Fixture) => [[early], [late]],
      received: 1000,
    },
    {
      name: "a later checkpoint still wins when it arrives first",
      day: "2025-03-11",
      counts: [800, 1000] as const,
      batches: (early: Fixture, late: Fixture) => [[late], [early]],
      received: 1000,
    },
    {
      name: "a later checkpoint can lower the number too (800 after 1000 → 0.8)",
      day: "2025-03-12",
      counts: [1000, 800] as const,
      batches: (early: Fixture, late: Fixture) => [[late, early]],
      received: 800,
    },
  ])("$name", async ({ day, counts, batches, received }) => {
    const { early, late } = reportedTwice(day, counts[0], counts[1]);
    await ingest(t.db, ...batches(early, late));
    const report = await kpisOnDay(t.db, day);
    expect(report.usageCompleteness).toEqual({
      expected: 1000,
      received,
      missing: 1000 - received,
      ratio: received / 1000,
    });
  });

  it("does not supersede across sources, meters or windows", async () => {
    // Same entity and window from two sources, plus the same source for another meter and
    // the next window: four current checkpoints, 4 × 1000 expected, 900 + 950 + 1000 + 700.
    const w = { ...window, windowStart: "2025-03-13T10:00:00Z", windowEnd: "2025-03-13T11:00:00Z" };
    await ingest(t.db, [
      checkpoint({ ...w, receivedCount: 900 }, { source: "/a", time: "2025-03-13T11:05:00Z" }),
      checkpoint({ ...w, receivedCount: 950 }, { source: "/b", time: "2025-03-13T11:06:00Z" }),
      checkpoint(
        { ...w, meter: "storage", receivedCount: 1000 },
        { source: "/a", time: "2025-03-13T11:07:00Z" },
      ),
      checkpoint(
        {
          ...w,
          windowStart: "2025-03-13T11:00:00Z",
          windowEnd: "2025-03-13T12:00:00Z",
          receivedCount: 700,
        },
        { source: "/a", time: "2025-03-13T12:05:00Z" },
      ),
    ]);
    expect(await figureOnDay(t.db, "2025-03-13", "usageCompleteness")).toEqual({
      expected: 4000,
      received: 3550,
      missing: 450,
      ratio: 3550 / 4000,
    });
  });
});
