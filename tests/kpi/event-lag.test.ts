import { beforeAll, describe, expect, it } from "vitest";
import { testDbForSuite } from "../support/db";
import {
  bucket,
  checkpoint,
  disputed,
  ingest,
  invoice,
  kpis,
  payment,
  setReceivedAt,
  kpisOnDay,
} from "./support";

/*
 * Event lag = received_at − the event's own time, p50 and p95 (continuous, as
 * percentile_cont), over events received in [from, to). received_at is stamped by the
 * database, so each fixture's arrival is set afterwards with SQL.
 */

const t = testDbForSuite();

describe("event lag", () => {
  // All four happened at 2025-01-10T10:00:00Z and arrived 1 s, 2 s, 4 s and 10 s later.
  //   e1 EU checkpoint   received 10:00:01   lag  1000 ms
  //   e2 US invoice      received 10:00:02   lag  2000 ms
  //   e3 EU checkpoint   received 10:00:04   lag  4000 ms
  //   e4 payment         received 10:00:10   lag 10000 ms   (data has no entity)
  // Four lags sorted [1000, 2000, 4000, 10000]:
  //   p50 at rank 0.5 × 3 = 1.5 → 2000 + 0.5 × (4000 − 2000) = 3000
  //   p95 at rank 0.95 × 3 = 2.85 → 4000 + 0.85 × (10000 − 4000) = 9100
  const time = "2025-01-10T10:00:00Z";
  const window = {
    meter: "api_calls",
    windowStart: "2025-01-10T09:00:00Z",
    windowEnd: time,
    expectedCount: 1,
    receivedCount: 1,
  };

  beforeAll(async () => {
    const e1 = checkpoint({ ...window, entity: "EU" }, { time });
    const e2 = invoice(
      { invoiceId: "INV-LAG", entity: "US", periodEnd: "2025-01-01T00:00:00Z", issuedAt: time },
      { time },
    );
    const e3 = checkpoint({ ...window, entity: "EU", meter: "storage" }, { time });
    const e4 = payment({ paymentId: "PAY-LAG", receivedAt: time }, { time });
    await ingest(t.db, [e1, e2, e3, e4]);
    await setReceivedAt(t.db, e1, "2025-01-10T10:00:01Z");
    await setReceivedAt(t.db, e2, "2025-01-10T10:00:02Z");
    await setReceivedAt(t.db, e3, "2025-01-10T10:00:04Z");
    await setReceivedAt(t.db, e4, "2025-01-10T10:00:10Z");
  });

  it("interpolates continuous percentiles: 4 lags → p50 is the mean of the middle two", async () => {
    const report = await kpisOnDay(t.db, "2025-01-10");
    expect(report.eventLag).toEqual({ count: 4, p50Ms: 3000, p95Ms: 9100 });
  });

  it("selects by received_at: exactly at from is in, exactly at to is out", async () => {
    // [10:00:02, 10:00:10): e2 (at from) and e3; not e1 (before) nor e4 (at to).
    // [2000, 4000]: p50 = 3000; p95 at rank 0.95 → 2000 + 0.95 × 2000 = 3900.
    const report = await kpis(t.db, "2025-01-10T10:00:02Z", "2025-01-10T10:00:10Z");
    expect(report.eventLag).toEqual({ count: 2, p50Ms: 3000, p95Ms: 3900 });
  });

  it("does not select by the event's own time", async () => {
    // All four happened at 10:00:00 exactly; a range ending at 10:00:01 received none of them.
    const report = await kpis(t.db, "2025-01-10T09:00:00Z", "2025-01-10T10:00:01Z");
    expect(report.eventLag).toEqual({ count: 0, p50Ms: null, p95Ms: null });
  });

  it("filters by data.entity; events without one (payments) drop out", async () => {
    // EU: e1 and e3, [1000, 4000]: p50 = 2500; p95 = 1000 + 0.95 × 3000 = 3850.
    const eu = await kpisOnDay(t.db, "2025-01-10", { entity: "EU" });
    expect(eu.eventLag).toEqual({ count: 2, p50Ms: 2500, p95Ms: 3850 });
    // US: e2 alone, so both percentiles are its 2000.
    const us = await kpisOnDay(t.db, "2025-01-10", { entity: "US" });
    expect(us.eventLag).toEqual({ count: 1, p50Ms: 2000, p95Ms: 2000 });
  });

  it("buckets by the hour the event was received, and by data.entity", async () => {
    const report = await kpisOnDay(t.db, "2025-01-10");
    expect(report.series.map((s) => s.bucket)).toEqual(["2025-01-10T10:00:00Z"]);
    expect(bucket(report, "2025-01-10T10:00:00Z").eventLag).toEqual({
      count: 4,
      p50Ms: 3000,
      p95Ms: 9100,
    });
    expect(report.byEntity.map((r) => [r.entity, r.eventLag.count])).toEqual([
      ["EU", 2],
      ["US", 1],
    ]);
  });

  it("is null when nothing was received in the range", async () => {
    const report = await kpisOnDay(t.db, "2025-01-11");
    expect(report.eventLag).toEqual({ count: 0, p50Ms: null, p95Ms: null });
  });

  it("counts every type, including ones no other KPI reads", async () => {
    // A dispute that happened on 2025-01-12 at 12:00 and arrived 90 s later: 90000 ms.
    const late = disputed({ invoiceId: "INV-LAG" }, { time: "2025-01-12T12:00:00Z" });
    await ingest(t.db, [late]);
    await setReceivedAt(t.db, late, "2025-01-12T12:01:30Z");
    const report = await kpisOnDay(t.db, "2025-01-12");
    expect(report.eventLag).toEqual({ count: 1, p50Ms: 90_000, p95Ms: 90_000 });
  });
});
