import { beforeAll, describe, expect, it } from "vitest";
import { testDbForSuite } from "../support/db";
import {
  MINUTE,
  entitlement,
  entityRow,
  ingest,
  invoice,
  kpis,
  payment,
  figureOnDay,
} from "./support";

/*
 * Payment-to-entitlement sync = updatedAt of the first entitlement.updated naming the
 * paymentId − the payment's receivedAt, for payments received in [from, to) (p50, p95);
 * overdue = payments with no entitlement update within 1 hour of receipt, judged at `now`
 * (injected here). A payment takes the entity of the invoice it pays.
 */

const t = testDbForSuite();

describe("payment-to-entitlement sync", () => {
  // Range [2025-05-06 10:00, 15:00), now = 15:00 unless a test says otherwise.
  //   PY1 EU received 10:00 (at from)  updates 10:30 and 10:02 → first 10:02    2 min
  //   PY2 US received 10:00            update 10:10                             10 min
  //   PY3 EU received 11:00            update 12:00, exactly 1 h: not overdue   60 min
  //   PY4 US received 11:00            update 13:00: synced, but overdue       120 min
  //   PY5 –  received 12:00 (no invoice) no update, 3 h by now: overdue
  //   PY6 EU received 14:30            no update, 30 min by now: not yet overdue
  //   PY7 EU received 15:00 (at to)    out
  // count 6; overdue 2 (PY4, PY5). Synced [2, 10, 60, 120] min:
  //   p50 at rank 1.5 → (10 + 60) / 2 = 35 min; p95 at rank 2.85 → 60 + 0.85 × 60 = 111 min.
  beforeAll(async () => {
    const at = (hhmm: string) => `2025-05-06T${hhmm}:00Z`;
    await ingest(t.db, [
      invoice({
        invoiceId: "INV-EU",
        entity: "EU",
        periodEnd: "2025-05-01T00:00:00Z",
        issuedAt: "2025-05-01T06:00:00Z",
      }),
      invoice({
        invoiceId: "INV-US",
        entity: "US",
        periodEnd: "2025-05-01T00:00:00Z",
        issuedAt: "2025-05-01T06:00:00Z",
      }),
      payment({ paymentId: "PY1", invoiceId: "INV-EU", receivedAt: at("10:00") }),
      payment({ paymentId: "PY2", invoiceId: "INV-US", receivedAt: at("10:00") }),
      payment({ paymentId: "PY3", invoiceId: "INV-EU", receivedAt: at("11:00") }),
      payment({ paymentId: "PY4", invoiceId: "INV-US", receivedAt: at("11:00") }),
      payment({ paymentId: "PY5", receivedAt: at("12:00") }),
      payment({ paymentId: "PY6", invoiceId: "INV-EU", receivedAt: at("14:30") }),
      payment({ paymentId: "PY7", invoiceId: "INV-EU", receivedAt: at("15:00") }),
      // The later update arrives first; "first" is by updatedAt.
      entitlement({ paymentId: "PY1", updatedAt: at("10:30") }),
      entitlement({ paymentId: "PY1", updatedAt: at("10:02") }),
      entitlement({ paymentId: "PY2", updatedAt: at("10:10") }),
      entitlement({ paymentId: "PY3", updatedAt: at("12:00") }),
      entitlement({ paymentId: "PY4", updatedAt: at("13:00") }),
      // An update that names no payment syncs none.
      entitlement({ updatedAt: at("12:30") }),
    ]);
  });

  it("measures sync from receipt to the first update naming the payment", async () => {
    const report = await kpis(t.db, "2025-05-06T10:00:00Z", "2025-05-06T15:00:00Z");
    expect(report.paymentToEntitlement).toEqual({
      count: 6,
      synced: 4,
      p50Ms: 35 * MINUTE,
      p95Ms: 111 * MINUTE,
      overdue: 2,
    });
  });

  it("judges overdue at the injected now", async () => {
    const range = ["2025-05-06T10:00:00Z", "2025-05-06T15:00:00Z"] as const;
    // 16:00: PY6 has waited 1.5 h too.
    expect(
      (await kpis(t.db, ...range, { now: "2025-05-06T16:00:00Z" })).paymentToEntitlement.overdue,
    ).toBe(3);
    // 12:30: PY4 (received 11:00, no update until 13:00) is 1.5 h without one; PY5 has
    // waited only 30 min; PY3's update came at exactly 1 h.
    expect(
      (await kpis(t.db, ...range, { now: "2025-05-06T12:30:00Z" })).paymentToEntitlement.overdue,
    ).toBe(1);
  });

  it("takes a payment's entity from the invoice it pays", async () => {
    // EU: PY1, PY3, PY6. Synced [2, 60] min: p50 31 min; p95 = 2 + 0.95 × 58 = 57.1 min.
    const eu = await kpis(t.db, "2025-05-06T10:00:00Z", "2025-05-06T15:00:00Z", { entity: "EU" });
    expect(eu.paymentToEntitlement).toEqual({
      count: 3,
      synced: 2,
      p50Ms: 31 * MINUTE,
      p95Ms: 3_426_000,
      overdue: 0,
    });
    // US: PY2, PY4. Synced [10, 120] min: p50 65 min; p95 = 10 + 0.95 × 110 = 114.5 min.
    const all = await kpis(t.db, "2025-05-06T10:00:00Z", "2025-05-06T15:00:00Z");
    expect(entityRow(all, "US").paymentToEntitlement).toEqual({
      count: 2,
      synced: 2,
      p50Ms: 65 * MINUTE,
      p95Ms: 114.5 * MINUTE,
      overdue: 1,
    });
    // PY5 pays no invoice, so it belongs to no entity.
    expect(all.byEntity.map((r) => r.entity)).toEqual(["EU", "US"]);
  });

  it("buckets by the hour of receipt", async () => {
    const report = await kpis(t.db, "2025-05-06T10:00:00Z", "2025-05-06T15:00:00Z");
    expect(report.series.map((s) => [s.bucket, s.paymentToEntitlement.count])).toEqual([
      ["2025-05-06T10:00:00Z", 2],
      ["2025-05-06T11:00:00Z", 2],
      ["2025-05-06T12:00:00Z", 1],
      ["2025-05-06T14:00:00Z", 1],
    ]);
  });

  it("includes a payment received exactly at to in the next range", async () => {
    // PY7 alone. At 15:30 it has waited half an hour: not overdue yet.
    const range = ["2025-05-06T15:00:00Z", "2025-05-06T16:00:00Z"] as const;
    const report = await kpis(t.db, ...range, { now: "2025-05-06T15:30:00Z" });
    expect(report.paymentToEntitlement).toEqual({
      count: 1,
      synced: 0,
      p50Ms: null,
      p95Ms: null,
      overdue: 0,
    });
    // At 16:00 the full hour has passed without an update: overdue from that instant.
    const hourLater = await kpis(t.db, ...range, { now: "2025-05-06T16:00:00Z" });
    expect(hourLater.paymentToEntitlement.overdue).toBe(1);
  });

  it("is null when no payment was received, and null percentiles when none synced", async () => {
    expect(await figureOnDay(t.db, "2025-05-10", "paymentToEntitlement")).toEqual({
      count: 0,
      synced: 0,
      p50Ms: null,
      p95Ms: null,
      overdue: 0,
    });
    // [12:00, 15:00): PY5 and PY6, neither synced.
    const unsynced = await kpis(t.db, "2025-05-06T12:00:00Z", "2025-05-06T15:00:00Z");
    expect(unsynced.paymentToEntitlement).toEqual({
      count: 2,
      synced: 0,
      p50Ms: null,
      p95Ms: null,
      overdue: 1,
    });
  });
});

describe("payment supersession", () => {
  // PY9 was first reported received at 10:00, then corrected by a later event to 09:00;
  // its entitlement followed at 09:20. One payment, synced in 20 min.
  it("keeps the latest payment.received per paymentId", async () => {
    const original = payment(
      { paymentId: "PY9", receivedAt: "2025-05-08T10:00:00Z" },
      { time: "2025-05-08T10:00:00Z" },
    );
    const corrected = payment(
      { paymentId: "PY9", receivedAt: "2025-05-08T09:00:00Z" },
      { time: "2025-05-08T11:00:00Z" },
    );
    await ingest(
      t.db,
      [corrected, entitlement({ paymentId: "PY9", updatedAt: "2025-05-08T09:20:00Z" })],
      [original],
    );
    expect(await figureOnDay(t.db, "2025-05-08", "paymentToEntitlement")).toEqual({
      count: 1,
      synced: 1,
      p50Ms: 20 * MINUTE,
      p95Ms: 20 * MINUTE,
      overdue: 0,
    });
  });
});
