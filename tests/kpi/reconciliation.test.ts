import { beforeAll, describe, expect, it } from "vitest";
import { testDbForSuite } from "../support/db";
import { entityRow, ingest, reconResult, figureOnDay, kpisOnDay } from "./support";

/*
 * Reconciliation, for results whose periodEnd is in [from, to), the latest per runId + key:
 * count; break = |actual − expected| > tolerance (equal to it is not a break); break rate =
 * breaks / results; absolute variance = Σ |actual − expected| over all of them, per currency
 * (amounts in different currencies are never added); the same per kind.
 */

const t = testDbForSuite();

const PERIOD_END = "2025-04-01T00:00:00Z";

describe("reconciliation", () => {
  // Run R1, periodEnd 2025-04-01 00:00 (exactly at from of [04-01, 04-02)):
  //   key kind              entity cur  expected actual tol  |diff|  break?
  //   k1  billing_vs_erp    EU     EUR    10000  10000    0      0   no
  //   k2  billing_vs_erp    EU     EUR    10000  10050   50     50   no (equal to tolerance)
  //   k3  billing_vs_erp    EU     EUR    10000   9949   50     51   yes
  //   k4  usage_vs_billing  US     USD     5000   5200    –    200   yes (tolerance defaults to 0)
  //   k5  payments_vs_ar    US     USD    -7000  -6990  100     10   no (credits are negative)
  //   k6  payments_vs_ar    EU     GBP      300      0    0    300   yes
  // results 6, breaks 3, break rate 0.5;
  // abs variance EUR 0 + 50 + 51 = 101, USD 200 + 10 = 210, GBP 300.
  // k4 was first reported as 5000 (no break) and corrected to 5200 by a later event that
  // arrived first; k7 ends exactly at to (04-02 00:00) and is out.
  const r = (
    key: string,
    kind: Parameters<typeof reconResult>[0]["kind"],
    entity: string,
    currency: string,
    expectedMinor: number,
    actualMinor: number,
    toleranceMinor?: number,
  ) =>
    reconResult({
      runId: "R1",
      key,
      kind,
      entity,
      periodEnd: PERIOD_END,
      currency,
      expectedMinor,
      actualMinor,
      ...(toleranceMinor === undefined ? {} : { toleranceMinor }),
    });

  beforeAll(async () => {
    const k4 = {
      runId: "R1",
      key: "k4",
      kind: "usage_vs_billing",
      entity: "US",
      periodEnd: PERIOD_END,
      currency: "USD",
      expectedMinor: 5000,
    } as const;
    await ingest(
      t.db,
      [
        r("k1", "billing_vs_erp", "EU", "EUR", 10000, 10000, 0),
        r("k2", "billing_vs_erp", "EU", "EUR", 10000, 10050, 50),
        r("k3", "billing_vs_erp", "EU", "EUR", 10000, 9949, 50),
        reconResult({ ...k4, actualMinor: 5200 }, { time: "2025-04-01T08:00:00Z" }),
        r("k5", "payments_vs_ar", "US", "USD", -7000, -6990, 100),
        r("k6", "payments_vs_ar", "EU", "GBP", 300, 0),
        reconResult({
          runId: "R1",
          key: "k7",
          kind: "billing_vs_erp",
          entity: "EU",
          periodEnd: "2025-04-02T00:00:00Z",
          currency: "EUR",
          expectedMinor: 1,
          actualMinor: 1000,
        }),
      ],
      [reconResult({ ...k4, actualMinor: 5000 }, { time: "2025-04-01T02:00:00Z" })],
    );
  });

  it("counts breaks strictly above tolerance and keeps variance per currency", async () => {
    expect(await figureOnDay(t.db, "2025-04-01", "reconciliation")).toEqual({
      results: 6,
      breaks: 3,
      breakRate: 0.5,
      absVarianceMinor: { EUR: 101, USD: 210, GBP: 300 },
    });
  });

  it("gives the same per kind", async () => {
    const report = await kpisOnDay(t.db, "2025-04-01");
    expect(report.details.reconciliationByKind).toEqual({
      billing_vs_erp: { results: 3, breaks: 1, breakRate: 1 / 3, absVarianceMinor: { EUR: 101 } },
      usage_vs_billing: { results: 1, breaks: 1, breakRate: 1, absVarianceMinor: { USD: 200 } },
      payments_vs_ar: {
        results: 2,
        breaks: 1,
        breakRate: 0.5,
        absVarianceMinor: { GBP: 300, USD: 10 },
      },
    });
  });

  it("filters by entity", async () => {
    // EU: k1, k2, k3, k6 → 4 results, breaks k3 and k6.
    const eu = await kpisOnDay(t.db, "2025-04-01", { entity: "EU" });
    expect(eu.reconciliation).toEqual({
      results: 4,
      breaks: 2,
      breakRate: 0.5,
      absVarianceMinor: { EUR: 101, GBP: 300 },
    });
    expect(entityRow(eu, "EU").reconciliation).toEqual(eu.reconciliation);
    // US in the breakdown: k4, k5 → 2 results, break k4.
    const all = await kpisOnDay(t.db, "2025-04-01");
    expect(entityRow(all, "US").reconciliation).toEqual({
      results: 2,
      breaks: 1,
      breakRate: 0.5,
      absVarianceMinor: { USD: 210 },
    });
  });

  it("selects by periodEnd: exactly at to belongs to the next range", async () => {
    const next = await kpisOnDay(t.db, "2025-04-02");
    // k7: |1000 − 1| = 999 > 0.
    expect(next.reconciliation).toEqual({
      results: 1,
      breaks: 1,
      breakRate: 1,
      absVarianceMinor: { EUR: 999 },
    });
    const before = await kpisOnDay(t.db, "2025-03-31");
    expect(before.reconciliation.results).toBe(0);
  });

  it("is null (break rate) and empty (variance) when there are no results", async () => {
    const report = await kpisOnDay(t.db, "2025-05-01");
    expect(report.reconciliation).toEqual({
      results: 0,
      breaks: 0,
      breakRate: null,
      absVarianceMinor: {},
    });
    expect(report.details.reconciliationByKind).toEqual({});
  });

  it("reports a real 0 break rate when every result is within tolerance", async () => {
    const run = {
      runId: "R2",
      kind: "billing_vs_erp",
      entity: "EU",
      periodEnd: "2025-04-10T00:00:00Z",
      currency: "EUR",
      expectedMinor: 100,
    } as const;
    await ingest(t.db, [
      reconResult({ ...run, key: "a", actualMinor: 100 }),
      reconResult({ ...run, key: "b", actualMinor: 101, toleranceMinor: 1 }),
    ]);
    expect(await figureOnDay(t.db, "2025-04-10", "reconciliation")).toEqual({
      results: 2,
      breaks: 0,
      breakRate: 0,
      absVarianceMinor: { EUR: 1 },
    });
  });
});

describe("reconciliation supersession", () => {
  // R3 key x: reported as a 500 break at 10:00, then (later event, arriving first) as
  // matched. Another run R4 for the same key is a separate result, not a correction.
  it("keeps the latest result per runId + key, and only per runId + key", async () => {
    const x = {
      key: "x",
      kind: "billing_vs_erp",
      entity: "EU",
      periodEnd: "2025-04-20T00:00:00Z",
      currency: "EUR",
      expectedMinor: 1000,
    } as const;
    const broken = reconResult(
      { ...x, runId: "R3", actualMinor: 1500 },
      { time: "2025-04-20T10:00:00Z" },
    );
    const matched = reconResult(
      { ...x, runId: "R3", actualMinor: 1000 },
      { time: "2025-04-20T11:00:00Z" },
    );
    const rerun = reconResult(
      { ...x, runId: "R4", actualMinor: 1200 },
      { time: "2025-04-20T09:00:00Z" },
    );
    await ingest(t.db, [matched], [broken], [rerun]);
    // R3/x matched (0), R4/x 200 over: 2 results, 1 break, variance 200.
    expect(await figureOnDay(t.db, "2025-04-20", "reconciliation")).toEqual({
      results: 2,
      breaks: 1,
      breakRate: 0.5,
      absVarianceMinor: { EUR: 200 },
    });
  });
});
