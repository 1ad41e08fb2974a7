import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "@/db/rows";
import { computeKpis } from "@/lib/kpi/engine";
import { oracleKpis } from "./oracle";
import { parseKpiQuery } from "@/lib/kpi/http";
import { testDbForSuite } from "../support/db";
import {
  HOUR,
  attempt,
  checkpoint,
  entitlement,
  entityRow,
  ingest,
  invoice,
  kpis,
  payment,
  reconResult,
  setReceivedAt,
  type FixtureEvent,
  kpisOnDay,
} from "./support";

/*
 * The cases docs/kpis.md used to leave open, each read the way a controller would expect
 * ("Cases the definitions settle" there): the entity of a payment that names one, which
 * invoice a posting's latency is measured from, an entitlement update made before its
 * payment was received, an empty error code, two events equal in time and id from different
 * sources, and instants finer than a millisecond.
 */

const t = testDbForSuite();

describe("a payment that names an entity", () => {
  // 2025-06-02: PX-UNAPPLIED names no invoice and says it was received by EU; PX-APPLIED
  // pays INV-X-US and says EU too. A payment's entity is its invoice's; one naming no known
  // invoice has the entity it names. Event lag goes by the event's own data.entity.
  it("counts for its invoice's entity, else for the one it names, in both KPIs", async () => {
    const unapplied = payment({ paymentId: "PX-UNAPPLIED", receivedAt: "2025-06-02T10:00:00Z" });
    unapplied.data.entity = "EU";
    const applied = payment({
      paymentId: "PX-APPLIED",
      invoiceId: "INV-X-US",
      receivedAt: "2025-06-02T11:00:00Z",
    });
    applied.data.entity = "EU";
    const issued = invoice({
      invoiceId: "INV-X-US",
      entity: "US",
      periodEnd: "2025-06-01T00:00:00Z",
      issuedAt: "2025-06-01T09:00:00Z",
    });
    await ingest(t.db, [unapplied, applied, issued]);
    await setReceivedAt(t.db, unapplied, "2025-06-02T10:00:05Z");
    await setReceivedAt(t.db, applied, "2025-06-02T11:00:05Z");
    const from = "2025-06-02T00:00:00Z";
    const to = "2025-06-03T00:00:00Z";

    const all = await kpis(t.db, from, to);
    expect(all.paymentToEntitlement.count).toBe(2);
    expect(entityRow(all, "EU").paymentToEntitlement.count).toBe(1);
    expect(entityRow(all, "US").paymentToEntitlement.count).toBe(1);
    const eu = await kpis(t.db, from, to, { entity: "EU" });
    expect(eu.paymentToEntitlement.count).toBe(1);
    expect(eu.eventLag.count).toBe(2);
  });

  it("follows an invoice that arrives after the payment", async () => {
    const early = payment({
      paymentId: "PX-EARLY-INV",
      invoiceId: "INV-LATE",
      receivedAt: "2025-06-02T12:00:00Z",
    });
    early.data.entity = "EU";
    await ingest(t.db, [early]);
    const from = "2025-06-02T12:00:00Z";
    const to = "2025-06-02T13:00:00Z";
    expect((await kpis(t.db, from, to, { entity: "EU" })).paymentToEntitlement.count).toBe(1);
    await ingest(t.db, [
      invoice({
        invoiceId: "INV-LATE",
        entity: "US",
        periodEnd: "2025-06-01T00:00:00Z",
        issuedAt: "2025-06-01T10:00:00Z",
      }),
    ]);
    expect((await kpis(t.db, from, to, { entity: "EU" })).paymentToEntitlement.count).toBe(0);
    expect((await kpis(t.db, from, to, { entity: "US" })).paymentToEntitlement.count).toBe(1);
  });
});

describe("a posting whose attempts name different invoices", () => {
  // Attempt 1 names INV-A (issued 08:00), attempt 2 names INV-B (issued 09:00) and succeeds
  // at 12:00. The posting is its first attempt's, invoice as well as entity: 4 h, not 3 h.
  it("measures latency from the first attempt's invoice", async () => {
    const at = (h: string) => `2025-06-03T${h}:00Z`;
    await ingest(t.db, [
      invoice({ invoiceId: "INV-A", entity: "EU", periodEnd: at("00:00"), issuedAt: at("08:00") }),
      invoice({ invoiceId: "INV-B", entity: "US", periodEnd: at("00:00"), issuedAt: at("09:00") }),
      attempt({
        postingId: "PST-AB",
        invoiceId: "INV-A",
        entity: "EU",
        attempt: 1,
        status: "failed",
        attemptedAt: at("10:00"),
      }),
      attempt({
        postingId: "PST-AB",
        invoiceId: "INV-B",
        entity: "US",
        attempt: 2,
        status: "succeeded",
        attemptedAt: at("12:00"),
      }),
    ]);
    const report = await kpis(t.db, at("00:00"), "2025-06-04T00:00:00Z");
    expect(report.erpPosting).toMatchObject({ postings: 1, latencyP50Ms: 4 * HOUR });
    expect(entityRow(report, "EU").erpPosting.postings).toBe(1);
  });
});

describe("an entitlement update made before its payment was received", () => {
  // PY-EARLY received 12:00, the entitlement naming it updated at 11:00; PY-ON received
  // 12:00, updated 12:30. The customer had access before the payment landed: synced at
  // once (0), never a negative time; and not overdue.
  it("counts as synced at receipt, 0 ms", async () => {
    const at = (hhmm: string) => `2025-06-04T${hhmm}:00Z`;
    await ingest(t.db, [
      payment({ paymentId: "PY-EARLY", receivedAt: at("12:00") }),
      entitlement({ paymentId: "PY-EARLY", updatedAt: at("11:00") }),
      payment({ paymentId: "PY-ON", receivedAt: at("12:00") }),
      entitlement({ paymentId: "PY-ON", updatedAt: at("12:30") }),
    ]);
    const report = await kpis(t.db, at("00:00"), "2025-06-05T00:00:00Z");
    expect(report.paymentToEntitlement).toEqual({
      count: 2,
      synced: 2,
      p50Ms: 15 * 60_000,
      p95Ms: Math.round(0.95 * 30 * 60_000),
      overdue: 0,
    });
  });
});

describe("an empty error code", () => {
  it("is no code: counted as (none) with the failures that have none", async () => {
    const at = (h: string) => `2025-06-05T${h}:00Z`;
    const failed = (postingId: string, errorCode?: string) =>
      attempt({
        postingId,
        invoiceId: "INV-NONE",
        entity: "EU",
        attempt: 1,
        status: "failed",
        attemptedAt: at("10:00"),
        ...(errorCode === undefined ? {} : { errorCode }),
      });
    await ingest(t.db, [failed("PST-EMPTY", ""), failed("PST-BLANK", "  "), failed("PST-NONE")]);
    const report = await kpis(t.db, at("00:00"), "2025-06-06T00:00:00Z");
    expect(report.details.erpTopErrorCodes).toEqual([{ errorCode: "(none)", failures: 3 }]);
  });
});

describe("two events equal in time and id from different sources", () => {
  // The same payment and reconciliation key reported by /sources/a and /sources/b with the
  // same event time and id. The tie goes to the greater source (compared byte by byte), in
  // any arrival order and inside one batch.
  const TIME = "2025-06-06T09:00:00Z";
  function payments(paymentId: string): [FixtureEvent, FixtureEvent] {
    const a = payment(
      { paymentId, receivedAt: "2025-06-06T10:00:00Z" },
      { source: "/sources/a", id: `tie-${paymentId}`, time: TIME },
    );
    const b = payment(
      { paymentId, receivedAt: "2025-06-07T10:00:00Z" },
      { source: "/sources/b", id: `tie-${paymentId}`, time: TIME },
    );
    return [a, b];
  }
  function results(key: string): [FixtureEvent, FixtureEvent] {
    const result = (actualMinor: number, source: string) =>
      reconResult(
        {
          runId: "TIE",
          key,
          kind: "billing_vs_erp",
          entity: "EU",
          periodEnd: "2025-06-06T12:00:00Z",
          currency: "EUR",
          expectedMinor: 100,
          actualMinor,
        },
        { source, id: `tie-${key}`, time: TIME },
      );
    return [result(100, "/sources/a"), result(175, "/sources/b")];
  }

  it("goes to the greater source whatever the arrival order", async () => {
    const [a1, b1] = payments("PY-TIE-AB");
    const [a2, b2] = payments("PY-TIE-BA");
    const [a3, b3] = payments("PY-TIE-BATCH");
    const [a4, b4] = payments("PY-TIE-BATCH-2");
    const [ra1, rb1] = results("k-ab");
    const [ra2, rb2] = results("k-ba");
    const [ra3, rb3] = results("k-batch");
    await ingest(t.db, [a1, ra1], [b1, rb1], [b2, rb2], [a2, ra2], [a3, b3, rb3, ra3], [b4, a4]);
    const winners = await queryRows<{ payment_id: string; received_at: Date | string }>(
      t.db,
      sql`select payment_id, received_at from payments where payment_id like 'PY-TIE-%' order by 1`,
    );
    expect(winners.map((w) => [w.payment_id, new Date(w.received_at).toISOString()])).toEqual([
      ["PY-TIE-AB", "2025-06-07T10:00:00.000Z"],
      ["PY-TIE-BA", "2025-06-07T10:00:00.000Z"],
      ["PY-TIE-BATCH", "2025-06-07T10:00:00.000Z"],
      ["PY-TIE-BATCH-2", "2025-06-07T10:00:00.000Z"],
    ]);
    // A row stored before the source was kept with it (null) is judged by its event's source.
    const [a5, b5] = payments("PY-TIE-LEGACY");
    await ingest(t.db, [b5]);
    await t.db.execute(
      sql`update payments set event_source = null where payment_id = 'PY-TIE-LEGACY'`,
    );
    await ingest(t.db, [a5]);
    const legacy = await queryRows<{ received_at: Date | string }>(
      t.db,
      sql`select received_at from payments where payment_id = 'PY-TIE-LEGACY'`,
    );
    expect(new Date(legacy[0]!.received_at).toISOString()).toBe("2025-06-07T10:00:00.000Z");
    const report = await kpisOnDay(t.db, "2025-06-06");
    // Every key's winner is /sources/b's result, a 75-cent break.
    expect(report.reconciliation).toMatchObject({ results: 3, breaks: 3 });
    expect(report.reconciliation.absVarianceMinor).toEqual({ EUR: 225 });
    expect(report.paymentToEntitlement.count).toBe(0);
  });
});

describe("instants finer than a millisecond", () => {
  // Closeline keeps instants to the millisecond, finer digits dropped (never rounded), in
  // events and in query bounds alike: 23:59:59.9999999 is still the last day of the month.
  it("keep a window end and an issue time in their month", async () => {
    await ingest(t.db, [
      checkpoint({
        entity: "EU",
        meter: "fine",
        windowStart: "2025-06-30T23:00:00Z",
        windowEnd: "2025-06-30T23:59:59.9999999Z",
        expectedCount: 10,
        receivedCount: 9,
      }),
      invoice({
        invoiceId: "INV-FINE",
        entity: "EU",
        periodEnd: "2025-06-30T00:00:00Z",
        issuedAt: "2025-06-30T23:59:59.9999999Z",
      }),
    ]);
    // The last day of June and the first of July (a day's range reads the daily rollups).
    const june = await kpisOnDay(t.db, "2025-06-30");
    expect(june.usageCompleteness.expected).toBe(10);
    expect(june.invoiceLatency.count).toBe(1);
    const july = await kpisOnDay(t.db, "2025-07-01");
    expect(july.usageCompleteness.expected).toBe(0);
    expect(july.invoiceLatency.count).toBe(0);
    const stored = await queryRows<{ window_end: string; issued_at: string }>(
      t.db,
      sql`select to_char(c.window_end at time zone 'UTC', 'HH24:MI:SS.US') as window_end,
            to_char(i.issued_at at time zone 'UTC', 'HH24:MI:SS.US') as issued_at
          from usage_checkpoints c, invoices i where c.meter = 'fine' and i.invoice_id = 'INV-FINE'`,
    );
    expect(stored).toEqual([{ window_end: "23:59:59.999000", issued_at: "23:59:59.999000" }]);
  });

  it("cut query bounds the same way", async () => {
    const scope = parseKpiQuery(
      new URLSearchParams({
        from: "2025-06-30T23:59:59.9999999Z",
        to: "2025-07-01T00:00:00.0000001+00:00",
      }),
    );
    expect(scope.from.toISOString()).toBe("2025-06-30T23:59:59.999Z");
    expect(scope.to.toISOString()).toBe("2025-07-01T00:00:00.000Z");
    const report = await computeKpis(t.db, scope, { now: scope.to });
    // The invoice issued at 23:59:59.999 is exactly at `from`: in.
    expect(report.invoiceLatency.count).toBe(1);
    expect(report.range.from).toBe("2025-06-30T23:59:59.999Z");
  });
});

describe("the oracle", () => {
  // The plain-SQL oracle (tests/kpi/oracle.ts) reads the raw events and decides each case
  // itself; over every fixture above, with and without an entity, it agrees with the engine.
  it("agrees with the engine on every case above", async () => {
    for (const entity of [null, "EU"]) {
      const scope = {
        from: new Date("2025-06-01T00:00:00Z"),
        to: new Date("2025-07-02T00:00:00Z"),
        entity,
      };
      const now = scope.to;
      const engine = await computeKpis(t.db, scope, { now });
      const oracle = await oracleKpis(t.db, { ...scope, now });
      for (const key of [
        "eventLag",
        "invoiceLatency",
        "erpPosting",
        "reconciliation",
        "paymentToEntitlement",
      ] as const) {
        expect(engine[key], `${key} (${entity})`).toEqual(oracle[key]);
      }
      expect(engine.details.erpTopErrorCodes).toEqual(oracle.details.erpTopErrorCodes);
      if (!entity) expect(engine.paymentToEntitlement.count).toBeGreaterThan(0);
    }
  });
});
