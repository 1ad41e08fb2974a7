import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import {
  contractAmendments,
  correctionExecutions,
  entitlementUpdates,
  erpPostingAttempts,
  events,
  fxRates,
  invoiceDisputes,
  invoices,
  payments,
  reconciliationResults,
  usageCheckpoints,
} from "@/db/schema";
import { EVENT_TYPE_NAMES } from "@/lib/contract";
import { testDbForSuite } from "../support/db";
import { makeEvent, makeKey, postEvents, type CloudEvent } from "./support";

/*
 * The happy path of every event type: the event is accepted, stored once in `events` with
 * the sending key, and its typed projection row carries the values that were sent.
 */

const t = testDbForSuite();
let key: { id: string; key: string };

beforeAll(async () => {
  key = await makeKey(t.db, ["ingest"]);
});

async function acceptOne(event: CloudEvent) {
  const res = await postEvents(t.db, event, { key: key.key });
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
  const [stored] = await t.db.select().from(events).where(eq(events.eventId, event.id));
  expect(stored).toMatchObject({
    source: event.source,
    type: event.type,
    apiKeyId: key.id,
    time: new Date(event.time),
  });
  return stored!;
}

describe("each event type is accepted and projected", () => {
  it("covers all ten types of the contract", () => {
    expect(EVENT_TYPE_NAMES).toHaveLength(10);
  });

  it("usage.checkpoint → usage_checkpoints", async () => {
    const event = makeEvent("usage.checkpoint", {}, { meter: "api_calls_happy" });
    const stored = await acceptOne(event);
    const [row] = await t.db
      .select()
      .from(usageCheckpoints)
      .where(eq(usageCheckpoints.meter, "api_calls_happy"));
    expect(row).toEqual({
      source: "/tests/ingest",
      entity: "ACME-US",
      meter: "api_calls_happy",
      windowStart: new Date("2026-11-01T10:00:00Z"),
      windowEnd: new Date("2026-11-01T11:00:00Z"),
      expectedCount: 120000,
      receivedCount: 119874,
      rejectedCount: 12,
      unitPrice: "0.0004",
      priceCurrency: "USD",
      eventSeq: stored.seq,
      eventTime: new Date(event.time),
      eventId: event.id,
    });
  });

  it("usage.checkpoint without rejectedCount stores null", async () => {
    const event = makeEvent("usage.checkpoint", {}, { meter: "no_rejects" });
    delete (event.data as Record<string, unknown>).rejectedCount;
    await acceptOne(event);
    const [row] = await t.db
      .select()
      .from(usageCheckpoints)
      .where(eq(usageCheckpoints.meter, "no_rejects"));
    expect(row?.rejectedCount).toBeNull();
  });

  it("invoice.issued → invoices", async () => {
    const event = makeEvent(
      "invoice.issued",
      {},
      { invoiceId: "INV-HAPPY-1", amountMinor: 129_901 },
    );
    const stored = await acceptOne(event);
    const [row] = await t.db.select().from(invoices).where(eq(invoices.invoiceId, "INV-HAPPY-1"));
    expect(row).toEqual({
      invoiceId: "INV-HAPPY-1",
      source: "/tests/ingest",
      customerId: "cus_0042",
      entity: "ACME-US",
      currency: "USD",
      amountMinor: 129_901,
      periodStart: new Date("2026-10-01T00:00:00Z"),
      periodEnd: new Date("2026-11-01T00:00:00Z"),
      issuedAt: new Date("2026-11-01T06:12:00Z"),
      eventSeq: stored.seq,
      eventTime: new Date(event.time),
      eventId: event.id,
      // Derived by PostgreSQL: issuedAt − periodEnd, 6 h 12 min.
      latencyMs: 22_320_000,
    });
  });

  it("invoice.issued keeps amounts beyond 32 bits exactly", async () => {
    const amount = 9_007_199_254_740_991; // Number.MAX_SAFE_INTEGER, the contract's ceiling
    const event = makeEvent("invoice.issued", {}, { invoiceId: "INV-HUGE", amountMinor: amount });
    await acceptOne(event);
    const [row] = await t.db.select().from(invoices).where(eq(invoices.invoiceId, "INV-HUGE"));
    expect(row?.amountMinor).toBe(amount);
  });

  it("invoice.disputed → invoice_disputes, with and without an amount", async () => {
    const partial = makeEvent("invoice.disputed", {}, { invoiceId: "INV-DISPUTED" });
    const full = makeEvent(
      "invoice.disputed",
      {},
      { invoiceId: "INV-DISPUTED", reason: "Not ordered", amountMinor: undefined },
    );
    const partialSeq = (await acceptOne(partial)).seq;
    const fullSeq = (await acceptOne(full)).seq;
    const rows = await t.db
      .select()
      .from(invoiceDisputes)
      .where(eq(invoiceDisputes.invoiceId, "INV-DISPUTED"))
      .orderBy(invoiceDisputes.eventSeq);
    expect(rows).toEqual([
      {
        eventSeq: partialSeq,
        invoiceId: "INV-DISPUTED",
        reason: "Usage double-counted on Oct 14",
        amountMinor: 15000,
        eventTime: new Date(partial.time),
        eventId: partial.id,
      },
      {
        eventSeq: fullSeq,
        invoiceId: "INV-DISPUTED",
        reason: "Not ordered",
        amountMinor: null,
        eventTime: new Date(full.time),
        eventId: full.id,
      },
    ]);
  });

  it("erp.posting.attempted → erp_posting_attempts, one row per attempt", async () => {
    const failed = makeEvent("erp.posting.attempted", {}, { postingId: "PST-HAPPY" });
    const succeeded = makeEvent(
      "erp.posting.attempted",
      { time: "2026-11-01T13:00:00Z" },
      {
        postingId: "PST-HAPPY",
        attempt: 2,
        status: "succeeded",
        attemptedAt: "2026-11-01T06:45:00Z",
        errorCode: undefined,
        errorMessage: undefined,
      },
    );
    const failedSeq = (await acceptOne(failed)).seq;
    const succeededSeq = (await acceptOne(succeeded)).seq;
    const rows = await t.db
      .select()
      .from(erpPostingAttempts)
      .where(eq(erpPostingAttempts.postingId, "PST-HAPPY"))
      .orderBy(erpPostingAttempts.attempt);
    expect(rows).toEqual([
      {
        postingId: "PST-HAPPY",
        attempt: 1,
        invoiceId: "INV-2026-10-0042",
        entity: "ACME-US",
        status: "failed",
        attemptedAt: new Date("2026-11-01T06:15:00Z"),
        errorCode: "GL_PERIOD_CLOSED",
        errorMessage: "Accounting period 2026-10 is closed for posting",
        eventSeq: failedSeq,
        eventTime: new Date(failed.time),
        eventId: failed.id,
        eventSource: failed.source,
      },
      {
        postingId: "PST-HAPPY",
        attempt: 2,
        invoiceId: "INV-2026-10-0042",
        entity: "ACME-US",
        status: "succeeded",
        attemptedAt: new Date("2026-11-01T06:45:00Z"),
        errorCode: null,
        errorMessage: null,
        eventSeq: succeededSeq,
        eventTime: new Date(succeeded.time),
        eventId: succeeded.id,
        eventSource: succeeded.source,
      },
    ]);
  });

  it("payment.received → payments", async () => {
    const event = makeEvent(
      "payment.received",
      {},
      { paymentId: "pay_happy", currency: "JPY", amountMinor: 15_000 },
    );
    const stored = await acceptOne(event);
    const [row] = await t.db.select().from(payments).where(eq(payments.paymentId, "pay_happy"));
    expect(row).toEqual({
      paymentId: "pay_happy",
      customerId: "cus_0042",
      invoiceId: "INV-2026-10-0042",
      // The example names no entity of its own: the invoice's is the payment's.
      entity: null,
      currency: "JPY",
      amountMinor: 15_000,
      receivedAt: new Date("2026-11-12T09:30:00Z"),
      eventSeq: stored.seq,
      eventTime: new Date(event.time),
      eventId: event.id,
      eventSource: event.source,
    });
  });

  it("payment.received without an invoice stores null", async () => {
    const event = makeEvent(
      "payment.received",
      {},
      { paymentId: "pay_unapplied", invoiceId: undefined },
    );
    await acceptOne(event);
    const [row] = await t.db.select().from(payments).where(eq(payments.paymentId, "pay_unapplied"));
    expect(row?.invoiceId).toBeNull();
  });

  it("entitlement.updated → entitlement_updates", async () => {
    const event = makeEvent(
      "entitlement.updated",
      {},
      { customerId: "cus_entitled", status: "restricted" },
    );
    const stored = await acceptOne(event);
    const rows = await t.db
      .select()
      .from(entitlementUpdates)
      .where(eq(entitlementUpdates.customerId, "cus_entitled"));
    expect(rows).toEqual([
      {
        eventSeq: stored.seq,
        customerId: "cus_entitled",
        status: "restricted",
        paymentId: "pay_9001",
        updatedAt: new Date("2026-11-12T09:31:10Z"),
        eventTime: new Date(event.time),
        eventId: event.id,
      },
    ]);
  });

  it("reconciliation.result → reconciliation_results", async () => {
    const event = makeEvent("reconciliation.result", {}, { runId: "rec-happy" });
    const stored = await acceptOne(event);
    const [row] = await t.db
      .select()
      .from(reconciliationResults)
      .where(eq(reconciliationResults.runId, "rec-happy"));
    expect(row).toEqual({
      runId: "rec-happy",
      key: "cus_0042",
      kind: "billing_vs_erp",
      entity: "ACME-US",
      periodStart: new Date("2026-10-01T00:00:00Z"),
      periodEnd: new Date("2026-11-01T00:00:00Z"),
      currency: "USD",
      expectedMinor: 129900,
      actualMinor: 114900,
      toleranceMinor: 100,
      eventSeq: stored.seq,
      eventTime: new Date(event.time),
      eventId: event.id,
      eventSource: event.source,
    });
  });

  it("reconciliation.result without a tolerance defaults it to 0, negatives allowed", async () => {
    const event = makeEvent(
      "reconciliation.result",
      {},
      { runId: "rec-default", toleranceMinor: undefined, expectedMinor: -500, actualMinor: -450 },
    );
    await acceptOne(event);
    const [row] = await t.db
      .select()
      .from(reconciliationResults)
      .where(eq(reconciliationResults.runId, "rec-default"));
    expect(row).toMatchObject({ toleranceMinor: 0, expectedMinor: -500, actualMinor: -450 });
  });

  it("contract.amended → contract_amendments", async () => {
    const event = makeEvent("contract.amended", {}, { contractId: "ctr_happy" });
    const stored = await acceptOne(event);
    const [row] = await t.db
      .select()
      .from(contractAmendments)
      .where(eq(contractAmendments.contractId, "ctr_happy"));
    expect(row).toEqual({
      eventSeq: stored.seq,
      contractId: "ctr_happy",
      customerId: "cus_0042",
      entity: "ACME-US",
      effectiveFrom: new Date("2026-10-01T00:00:00Z"),
      amendedAt: new Date("2026-11-20T14:00:00Z"),
      currency: "USD",
      amountImpactMinor: -25000,
      eventTime: new Date(event.time),
      eventId: event.id,
    });
  });

  it("correction.executed → correction_executions; a failure must say why", async () => {
    const correctionId = "0b6f3f4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b";
    const event = makeEvent("correction.executed", {}, { correctionId });
    const stored = await acceptOne(event);
    const [row] = await t.db
      .select()
      .from(correctionExecutions)
      .where(eq(correctionExecutions.correctionId, correctionId));
    expect(row).toEqual({
      eventSeq: stored.seq,
      correctionId,
      status: "executed",
      executedAt: new Date("2026-11-21T09:05:00Z"),
      documentRef: "CN-2026-0042",
      errorMessage: null,
      eventTime: new Date(event.time),
      eventId: event.id,
    });
    const failed = makeEvent("correction.executed", {}, { correctionId, status: "failed" });
    const res = await postEvents(t.db, failed, { key: key.key });
    expect(res.body).toMatchObject({
      accepted: 0,
      rejected: [{ errors: [expect.stringContaining("errorMessage")] }],
    });
  });

  it("fx.rate → fx_rates; a rate must be a positive decimal string", async () => {
    const event = makeEvent("fx.rate", {}, { currency: "CAD", effectiveDate: "2026-10-01" });
    const stored = await acceptOne(event);
    const [row] = await t.db.select().from(fxRates).where(eq(fxRates.currency, "CAD"));
    expect(row).toMatchObject({
      currency: "CAD",
      reportingCurrency: "USD",
      effectiveDate: "2026-10-01",
      rate: "1.0825",
      source: "event",
      at: new Date(event.time),
      eventId: event.id,
      eventSeq: stored.seq,
      enteredBy: null,
    });
    for (const [data, field] of [
      [{ rate: 1.08 }, "rate"],
      [{ rate: "0.00" }, "rate"],
      [{ rate: "1e3" }, "rate"],
      [{ reportingCurrency: "EUR", currency: "EUR" }, "reportingCurrency"],
      [{ effectiveDate: "2026-10-01T00:00:00Z" }, "effectiveDate"],
    ] as const) {
      const res = await postEvents(t.db, makeEvent("fx.rate", {}, data), { key: key.key });
      expect(res.body, JSON.stringify(data)).toMatchObject({
        accepted: 0,
        rejected: [{ errors: [expect.stringContaining(field)] }],
      });
    }
  });

  it("accepts application/json as a single event and a batch of all types at once", async () => {
    const single = makeEvent("invoice.issued", {}, { invoiceId: "INV-PLAIN-JSON" });
    const res = await postEvents(t.db, single, { key: key.key, contentType: "application/json" });
    expect(res.body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });

    const batch = EVENT_TYPE_NAMES.map((type) => makeEvent(type, { source: "/tests/all-types" }));
    const batchRes = await postEvents(t.db, batch, { key: key.key });
    expect(batchRes.status).toBe(200);
    expect(batchRes.body).toEqual({ accepted: 10, duplicates: 0, rejected: [] });
  });
});

describe("fields the contract does not name are kept", () => {
  it("keeps unknown data fields in events.data and extension attributes in events.attributes", async () => {
    const event = makeEvent(
      "invoice.issued",
      {
        subject: "invoices/INV-EXTRA",
        traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        tenantregion: "eu-west-1",
        datacontenttype: "application/json",
      },
      { invoiceId: "INV-EXTRA", poNumber: "PO-7", lines: [{ sku: "seat", qty: 3 }] },
    );
    const stored = await acceptOne(event);
    expect(stored.subject).toBe("invoices/INV-EXTRA");
    expect(stored.data).toMatchObject({
      invoiceId: "INV-EXTRA",
      amountMinor: 129900,
      poNumber: "PO-7",
      lines: [{ sku: "seat", qty: 3 }],
    });
    expect(stored.attributes).toEqual({
      traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      tenantregion: "eu-west-1",
      datacontenttype: "application/json",
    });
  });

  it("refuses a __proto__ attribute with a reason, and pollutes nothing", async () => {
    // Copied through a JavaScript object it would become a prototype and vanish unnoticed.
    const raw = JSON.stringify(
      makeEvent("payment.received", {}, { paymentId: "pay_proto" }),
    ).replace(/^\{/, '{"__proto__":{"polluted":true},');
    const res = await postEvents(t.db, null, { key: key.key, raw });
    expect(res.body).toMatchObject({ accepted: 0, duplicates: 0 });
    expect(res.body.rejected[0]?.errors).toEqual([
      '(event): has a key named "__proto__", which Closeline does not accept',
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
