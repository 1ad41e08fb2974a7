import { beforeAll, describe, expect, it } from "vitest";
import { testDbForSuite } from "../support/db";
import { HOUR, bucket, entityRow, ingest, invoice, kpisOnDay } from "./support";

/*
 * Invoice latency = issuedAt − periodEnd for invoices issued in [from, to): count, p50, p95.
 * An invoice is the latest invoice.issued (by event time) for its invoiceId.
 */

const t = testDbForSuite();

describe("invoice latency", () => {
  // Issued on 2025-02-03:
  //   INV-1 EU  periodEnd 02-01 00:00  issued 02-03 00:00 (exactly at from)  48 h
  //   INV-2 EU  periodEnd 02-02 00:00  issued 02-03 06:00                     30 h
  //             (first reported as issued 03:00, 27 h; corrected by a later event)
  //   INV-3 US  periodEnd 02-03 00:00  issued 02-03 12:00                     12 h
  //   INV-4 US  periodEnd 02-03 00:00  issued 02-03 18:00                     18 h
  //   INV-5 US  periodEnd 02-03 00:00  issued 02-04 00:00 (exactly at to: out) 24 h
  // In [02-03, 02-04): sorted [12, 18, 30, 48] h
  //   p50 at rank 1.5 → (18 + 30) / 2 = 24 h = 86,400,000 ms
  //   p95 at rank 2.85 → 30 + 0.85 × (48 − 30) = 45.3 h = 163,080,000 ms
  beforeAll(async () => {
    const corrected = invoice({
      invoiceId: "INV-2",
      entity: "EU",
      periodEnd: "2025-02-02T00:00:00Z",
      issuedAt: "2025-02-03T06:00:00Z",
    });
    const original = invoice(
      {
        invoiceId: "INV-2",
        entity: "EU",
        periodEnd: "2025-02-02T00:00:00Z",
        issuedAt: "2025-02-03T03:00:00Z",
      },
      { time: "2025-02-03T03:00:00Z" },
    );
    // The correction arrives first, the original it replaces after it.
    await ingest(
      t.db,
      [
        invoice({
          invoiceId: "INV-1",
          entity: "EU",
          periodEnd: "2025-02-01T00:00:00Z",
          issuedAt: "2025-02-03T00:00:00Z",
        }),
        corrected,
        invoice({
          invoiceId: "INV-3",
          entity: "US",
          periodEnd: "2025-02-03T00:00:00Z",
          issuedAt: "2025-02-03T12:00:00Z",
        }),
        invoice({
          invoiceId: "INV-4",
          entity: "US",
          periodEnd: "2025-02-03T00:00:00Z",
          issuedAt: "2025-02-03T18:00:00Z",
        }),
        invoice({
          invoiceId: "INV-5",
          entity: "US",
          periodEnd: "2025-02-03T00:00:00Z",
          issuedAt: "2025-02-04T00:00:00Z",
        }),
      ],
      [original],
    );
  });

  it("counts invoices issued in [from, to) with continuous p50 and p95", async () => {
    const report = await kpisOnDay(t.db, "2025-02-03");
    expect(report.invoiceLatency).toEqual({ count: 4, p50Ms: 24 * HOUR, p95Ms: 163_080_000 });
  });

  it("keeps the latest invoice.issued per invoiceId, whatever the arrival order", async () => {
    // Had the 27 h original counted, there would be 5 invoices; had it replaced the
    // correction, p50 would be (18 + 27) / 2 = 22.5 h.
    const report = await kpisOnDay(t.db, "2025-02-03");
    expect(report.invoiceLatency.count).toBe(4);
    expect(report.invoiceLatency.p50Ms).toBe(24 * HOUR);
  });

  it("includes an invoice issued exactly at to in the next range", async () => {
    // [02-04, 02-05): INV-5 alone, 24 h.
    const report = await kpisOnDay(t.db, "2025-02-04");
    expect(report.invoiceLatency).toEqual({ count: 1, p50Ms: 24 * HOUR, p95Ms: 24 * HOUR });
  });

  it("filters by entity", async () => {
    // US: [12, 18] h → p50 15 h; p95 = 12 + 0.95 × 6 = 17.7 h.
    const us = await kpisOnDay(t.db, "2025-02-03", { entity: "US" });
    expect(us.invoiceLatency).toEqual({ count: 2, p50Ms: 15 * HOUR, p95Ms: 63_720_000 });
    // EU: [30, 48] h → p50 39 h; p95 = 30 + 0.95 × 18 = 47.1 h.
    const all = await kpisOnDay(t.db, "2025-02-03");
    expect(entityRow(all, "EU").invoiceLatency).toEqual({
      count: 2,
      p50Ms: 39 * HOUR,
      p95Ms: 169_560_000,
    });
  });

  it("buckets by the hour of issuedAt", async () => {
    const report = await kpisOnDay(t.db, "2025-02-03");
    expect(report.series.map((s) => s.bucket)).toEqual([
      "2025-02-03T00:00:00Z",
      "2025-02-03T06:00:00Z",
      "2025-02-03T12:00:00Z",
      "2025-02-03T18:00:00Z",
    ]);
    expect(bucket(report, "2025-02-03T06:00:00Z").invoiceLatency).toEqual({
      count: 1,
      p50Ms: 30 * HOUR,
      p95Ms: 30 * HOUR,
    });
  });

  it("is null, with a count of 0, when no invoice was issued in the range", async () => {
    const report = await kpisOnDay(t.db, "2025-02-10");
    expect(report.invoiceLatency).toEqual({ count: 0, p50Ms: null, p95Ms: null });
  });
});
