import { beforeAll, describe, expect, it } from "vitest";
import { testDbForSuite } from "../support/db";
import {
  HOUR,
  MINUTE,
  attempt,
  entityRow,
  ingest,
  invoice,
  kpis,
  postingAttempts,
  figureOnDay,
  kpisOnDay,
} from "./support";
import { NO_ERP_POSTINGS } from "../support/kpi";

/*
 * ERP posting, for postings whose first attempt is in [from, to): the count; first-pass
 * success rate = attempt 1 succeeded / postings; eventual success rate = any attempt
 * succeeded / postings; latency = first successful attemptedAt − the invoice's issuedAt
 * (p50, p95); open failures = the latest attempt failed; the top error codes. An attempt is
 * the latest event (by event time) for its postingId + attempt number.
 */

const t = testDbForSuite();

const issued = (invoiceId: string, entity: string, issuedAt: string) =>
  invoice({ invoiceId, entity, periodEnd: "2025-03-01T00:00:00Z", issuedAt });

// Each posting's attempts: postingP2(1, "failed", at, errorCode) is attempt 1 of P2.
const postingP1 = postingAttempts("P1", "INV-A", "EU");
const postingP2 = postingAttempts("P2", "INV-B", "EU");
const postingP3 = postingAttempts("P3", "INV-C", "US");
const postingP4 = postingAttempts("P4", "INV-D", "US");
const postingP0 = postingAttempts("P0", "INV-Z", "EU");
const postingP5 = postingAttempts("P5", "INV-E", "US");
const postingP7 = postingAttempts("P7", "INV-F", "EU");
const postingP10 = postingAttempts("P10", "INV-UNKNOWN", "EU");
const postingP8 = postingAttempts("P8", "INV-UNKNOWN", "EU");
const postingP9 = postingAttempts("P9", "INV-H", "US");

describe("ERP posting", () => {
  // Range [2025-03-04, 2025-03-05). Invoices B, C, D issued 03-04 00:00, A at 03-03 23:50.
  //   P1 EU (A): #1 ok 00:00 (exactly at from)                 first pass; latency 10 min
  //   P2 EU (B): #1 failed 00:05 GL_PERIOD_CLOSED, #2 ok 01:00  eventual;   latency 60 min
  //   P3 US (C): #1 failed 00:20 TIMEOUT, #2 failed 00:50 TIMEOUT  open failure; no latency
  //   P4 US (D): #1 ok 00:40                                    first pass; latency 40 min
  //   P0 EU (Z): #1 failed 03-03 23:00, #2 ok 03-04 01:00       first attempt before from: out
  //   P5 US (E): #1 failed 03-05 00:00 (exactly at to)          out
  // postings 4; first pass 2/4 = 0.5; eventual 3/4 = 0.75; open failures 1.
  // Latencies [10, 40, 60] min: p50 = 40 min; p95 at rank 1.9 → 40 + 0.9 × 20 = 58 min.
  // Error codes of the four: TIMEOUT 2 (P3), GL_PERIOD_CLOSED 1 (P2).
  beforeAll(async () => {
    await ingest(t.db, [
      issued("INV-A", "EU", "2025-03-03T23:50:00Z"),
      issued("INV-B", "EU", "2025-03-04T00:00:00Z"),
      issued("INV-C", "US", "2025-03-04T00:00:00Z"),
      issued("INV-D", "US", "2025-03-04T00:00:00Z"),
      issued("INV-E", "US", "2025-03-04T00:00:00Z"),
      issued("INV-Z", "EU", "2025-03-03T22:00:00Z"),
      postingP1(1, "succeeded", "2025-03-04T00:00:00Z"),
      postingP2(1, "failed", "2025-03-04T00:05:00Z", "GL_PERIOD_CLOSED"),
      postingP2(2, "succeeded", "2025-03-04T01:00:00Z"),
      postingP3(1, "failed", "2025-03-04T00:20:00Z", "TIMEOUT"),
      postingP3(2, "failed", "2025-03-04T00:50:00Z", "TIMEOUT"),
      postingP4(1, "succeeded", "2025-03-04T00:40:00Z"),
      postingP0(1, "failed", "2025-03-03T23:00:00Z", "TIMEOUT"),
      postingP0(2, "succeeded", "2025-03-04T01:00:00Z"),
      postingP5(1, "failed", "2025-03-05T00:00:00Z", "TIMEOUT"),
    ]);
  });

  it("computes first-pass and eventual success, latency and open failures", async () => {
    expect(await figureOnDay(t.db, "2025-03-04", "erpPosting")).toEqual({
      postings: 4,
      firstPassSuccessRate: 0.5,
      eventualSuccessRate: 0.75,
      latencyP50Ms: 40 * MINUTE,
      latencyP95Ms: 58 * MINUTE,
      openFailures: 1,
    });
  });

  it("ranks the error codes of the postings in the range", async () => {
    const report = await kpisOnDay(t.db, "2025-03-04");
    expect(report.details.erpTopErrorCodes).toEqual([
      { errorCode: "TIMEOUT", failures: 2 },
      { errorCode: "GL_PERIOD_CLOSED", failures: 1 },
    ]);
  });

  it("filters by the posting's entity", async () => {
    // EU: P1, P2. Latencies [10, 60] min: p50 35 min; p95 = 10 + 0.95 × 50 = 57.5 min.
    const eu = await kpisOnDay(t.db, "2025-03-04", { entity: "EU" });
    expect(eu.erpPosting).toEqual({
      postings: 2,
      firstPassSuccessRate: 0.5,
      eventualSuccessRate: 1,
      latencyP50Ms: 35 * MINUTE,
      latencyP95Ms: 57.5 * MINUTE,
      openFailures: 0,
    });
    expect(eu.details.erpTopErrorCodes).toEqual([{ errorCode: "GL_PERIOD_CLOSED", failures: 1 }]);
    // US in the per-entity breakdown: P3, P4.
    const all = await kpisOnDay(t.db, "2025-03-04");
    expect(entityRow(all, "US").erpPosting).toEqual({
      postings: 2,
      firstPassSuccessRate: 0.5,
      eventualSuccessRate: 0.5,
      latencyP50Ms: 40 * MINUTE,
      latencyP95Ms: 40 * MINUTE,
      openFailures: 1,
    });
  });

  it("places a posting by its first attempt, in the range and in the series", async () => {
    // [03-03 23:00, 03-04 00:00): only P0, whose retry a day later still counts for it.
    // It failed first (first pass 0/1), then succeeded at 01:00, 3 h after INV-Z's 22:00.
    const before = await kpis(t.db, "2025-03-03T23:00:00Z", "2025-03-04T00:00:00Z");
    expect(before.erpPosting).toEqual({
      postings: 1,
      firstPassSuccessRate: 0,
      eventualSuccessRate: 1,
      latencyP50Ms: 3 * HOUR,
      latencyP95Ms: 3 * HOUR,
      openFailures: 0,
    });
    const day = await kpisOnDay(t.db, "2025-03-04");
    // Every first attempt of the four is in the 00:00 hour, though P2 succeeded at 01:00.
    expect(day.series.map((s) => [s.bucket, s.erpPosting.postings])).toEqual([
      ["2025-03-04T00:00:00Z", 4],
    ]);
    // P5's first attempt at exactly 03-05 00:00 opens the next range.
    const next = await kpisOnDay(t.db, "2025-03-05");
    expect(next.erpPosting.postings).toBe(1);
  });

  it("is null where there is nothing to measure", async () => {
    const report = await kpisOnDay(t.db, "2025-03-20");
    expect(report.erpPosting).toEqual(NO_ERP_POSTINGS);
    expect(report.details.erpTopErrorCodes).toEqual([]);
  });

  it("reports a real 0% when every posting failed, with no latency to measure", async () => {
    await ingest(t.db, [
      issued("INV-F", "EU", "2025-03-12T00:00:00Z"),
      postingP7(1, "failed", "2025-03-12T01:00:00Z", "TIMEOUT"),
      postingP7(2, "failed", "2025-03-12T02:00:00Z", "VALIDATION"),
    ]);
    const report = await kpisOnDay(t.db, "2025-03-12");
    expect(report.erpPosting).toEqual({
      postings: 1,
      firstPassSuccessRate: 0,
      eventualSuccessRate: 0,
      latencyP50Ms: null,
      latencyP95Ms: null,
      openFailures: 1,
    });
    // Ties on count are listed by code.
    expect(report.details.erpTopErrorCodes).toEqual([
      { errorCode: "TIMEOUT", failures: 1 },
      { errorCode: "VALIDATION", failures: 1 },
    ]);
  });

  // One posting alone on its day, and the figures it gives.
  const alone = [
    {
      // P10: only attempt 2 (succeeded) is known. A second attempt means the first did not
      // succeed, so first pass is 0/1, eventual 1/1; the posting is placed by attempt 2.
      name: "does not call a retry a first pass when attempt 1 has not been reported",
      day: "2025-03-14",
      attempt: () => postingP10(2, "succeeded", "2025-03-14T01:00:00Z"),
      expected: { postings: 1, firstPassSuccessRate: 0, eventualSuccessRate: 1, openFailures: 0 },
    },
    {
      name: "counts a posting whose invoice is unknown, without a latency",
      day: "2025-03-13",
      attempt: () => postingP8(1, "succeeded", "2025-03-13T01:00:00Z"),
      expected: { postings: 1, firstPassSuccessRate: 1, latencyP50Ms: null, latencyP95Ms: null },
    },
  ];
  for (const { name, day, attempt, expected } of alone) {
    it(name, async () => {
      await ingest(t.db, [attempt()]);
      const report = await kpisOnDay(t.db, day);
      expect(report.erpPosting).toMatchObject(expected);
    });
  }
});

describe("ERP attempt supersession", () => {
  // P6 attempt 1 was first reported failed (event time 10:00), then corrected by a later
  // event (10:30) for the same postingId and attempt: it succeeded at 10:00. INV-G was issued
  // at 09:00, so latency is 1 h; nothing failed any more. The correction arrives first.
  it("keeps the latest event per postingId + attempt, whatever the arrival order", async () => {
    const base = {
      postingId: "P6",
      invoiceId: "INV-G",
      entity: "EU",
      attempt: 1,
      attemptedAt: "2025-03-10T10:00:00Z",
    };
    const failed = attempt(
      { ...base, status: "failed", errorCode: "TIMEOUT" },
      { time: "2025-03-10T10:00:00Z" },
    );
    const correction = attempt({ ...base, status: "succeeded" }, { time: "2025-03-10T10:30:00Z" });
    await ingest(t.db, [issued("INV-G", "EU", "2025-03-10T09:00:00Z"), correction], [failed]);
    const report = await kpisOnDay(t.db, "2025-03-10");
    expect(report.erpPosting).toEqual({
      postings: 1,
      firstPassSuccessRate: 1,
      eventualSuccessRate: 1,
      latencyP50Ms: HOUR,
      latencyP95Ms: HOUR,
      openFailures: 0,
    });
    expect(report.details.erpTopErrorCodes).toEqual([]);
  });

  it("takes the posting latency from the first successful attempt", async () => {
    // P9: #1 failed 11:00, #2 ok 11:30, #3 ok 12:00 (a re-post): latency 11:30 − 11:00 = 30 min.
    await ingest(t.db, [
      issued("INV-H", "US", "2025-03-11T11:00:00Z"),
      postingP9(1, "failed", "2025-03-11T11:00:00Z"),
      postingP9(3, "succeeded", "2025-03-11T12:00:00Z"),
      postingP9(2, "succeeded", "2025-03-11T11:30:00Z"),
    ]);
    const report = await kpisOnDay(t.db, "2025-03-11");
    expect(report.erpPosting).toMatchObject({
      postings: 1,
      firstPassSuccessRate: 0,
      latencyP50Ms: 30 * MINUTE,
      openFailures: 0,
    });
    // A failure without an error code is listed as "(none)".
    expect(report.details.erpTopErrorCodes).toEqual([{ errorCode: "(none)", failures: 1 }]);
  });
});
