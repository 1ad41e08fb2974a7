import { eq, type SQL } from "drizzle-orm";
import type { AnyPgColumn, PgTable } from "drizzle-orm/pg-core";
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

/** The rows of one projection table that match `where`, ordered by `orderBy` if given. */
async function rowsOf<T extends PgTable>(
  table: T,
  where: SQL,
  orderBy?: AnyPgColumn,
): Promise<T["$inferSelect"][]> {
  const query = t.db
    .select()
    .from(table as PgTable)
    .where(where)
    .$dynamic();
  return (orderBy ? await query.orderBy(orderBy) : await query) as T["$inferSelect"][];
}

/** What every projection row takes from its event: where it stands in the log. */
function logged(event: CloudEvent, stored: { seq: number }, withSource = false) {
  return {
    eventSeq: stored.seq,
    eventTime: new Date(event.time),
    eventId: event.id,
    ...(withSource ? { eventSource: event.source } : {}),
  };
}

describe("each event type is accepted and projected", () => {
  it("covers all ten types of the contract", () => {
    expect(EVENT_TYPE_NAMES).toHaveLength(10);
  });

  /*
   * One event, one projection row: the values the contract's example (or the case) sent, and
   * where the event stands in the log.
   */
  it.each([
    {
      name: "usage.checkpoint → usage_checkpoints",
      event: () => makeEvent("usage.checkpoint", {}, { meter: "api_calls_happy" }),
      rows: () => rowsOf(usageCheckpoints, eq(usageCheckpoints.meter, "api_calls_happy")),
      row: {
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
      },
    },
    {
      name: "invoice.issued → invoices",
      event: () =>
        makeEvent("invoice.issued", {}, { invoiceId: "INV-HAPPY-1", amountMinor: 129_901 }),
      rows: () => rowsOf(invoices, eq(invoices.invoiceId, "INV-HAPPY-1")),
      row: {
        invoiceId: "INV-HAPPY-1",
        source: "/tests/ingest",
        customerId: "cus_0042",
        entity: "ACME-US",
        currency: "USD",
        amountMinor: 129_901,
        periodStart: new Date("2026-10-01T00:00:00Z"),
        periodEnd: new Date("2026-11-01T00:00:00Z"),
        issuedAt: new Date("2026-11-01T06:12:00Z"),
        // Derived by PostgreSQL: issuedAt − periodEnd, 6 h 12 min.
        latencyMs: 22_320_000,
      },
    },
    {
      name: "payment.received → payments",
      event: () =>
        makeEvent(
          "payment.received",
          {},
          { paymentId: "pay_happy", currency: "JPY", amountMinor: 15_000 },
        ),
      rows: () => rowsOf(payments, eq(payments.paymentId, "pay_happy")),
      withSource: true,
      row: {
        paymentId: "pay_happy",
        customerId: "cus_0042",
        invoiceId: "INV-2026-10-0042",
        // The example names no entity of its own: the invoice's is the payment's.
        entity: null,
        currency: "JPY",
        amountMinor: 15_000,
        receivedAt: new Date("2026-11-12T09:30:00Z"),
      },
    },
    {
      name: "entitlement.updated → entitlement_updates",
      event: () =>
        makeEvent("entitlement.updated", {}, { customerId: "cus_entitled", status: "restricted" }),
      rows: () => rowsOf(entitlementUpdates, eq(entitlementUpdates.customerId, "cus_entitled")),
      row: {
        customerId: "cus_entitled",
        status: "restricted",
        paymentId: "pay_9001",
        updatedAt: new Date("2026-11-12T09:31:10Z"),
      },
    },
    {
      name: "reconciliation.result → reconciliation_results",
      event: () => makeEvent("reconciliation.result", {}, { runId: "rec-happy" }),
      rows: () => rowsOf(reconciliationResults, eq(reconciliationResults.runId, "rec-happy")),
      withSource: true,
      row: {
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
      },
    },
    {
      name: "contract.amended → contract_amendments",
      event: () => makeEvent("contract.amended", {}, { contractId: "ctr_happy" }),
      rows: () => rowsOf(contractAmendments, eq(contractAmendments.contractId, "ctr_happy")),
      row: {
        contractId: "ctr_happy",
        customerId: "cus_0042",
        entity: "ACME-US",
        effectiveFrom: new Date("2026-10-01T00:00:00Z"),
        amendedAt: new Date("2026-11-20T14:00:00Z"),
        currency: "USD",
        amountImpactMinor: -25000,
      },
    },
  ])("$name", async ({ event: build, rows, row, withSource }) => {
    const event = build();
    const stored = await acceptOne(event);
    expect(await rows()).toEqual([{ ...row, ...logged(event, stored, withSource) }]);
  });

  it("usage.checkpoint without rejectedCount stores null", async () => {
    const event = makeEvent("usage.checkpoint", {}, { meter: "no_rejects" });
    delete (event.data as Record<string, unknown>).rejectedCount;
    await acceptOne(event);
    const [row] = await rowsOf(usageCheckpoints, eq(usageCheckpoints.meter, "no_rejects"));
    expect(row?.rejectedCount).toBeNull();
  });

  it("invoice.issued keeps amounts beyond 32 bits exactly", async () => {
    const amount = 9_007_199_254_740_991; // Number.MAX_SAFE_INTEGER, the contract's ceiling
    const event = makeEvent("invoice.issued", {}, { invoiceId: "INV-HUGE", amountMinor: amount });
    await acceptOne(event);
    const [row] = await rowsOf(invoices, eq(invoices.invoiceId, "INV-HUGE"));
    expect(row?.amountMinor).toBe(amount);
  });

  it("payment.received without an invoice stores null", async () => {
    const event = makeEvent(
      "payment.received",
      {},
      { paymentId: "pay_unapplied", invoiceId: undefined },
    );
    await acceptOne(event);
    const [row] = await rowsOf(payments, eq(payments.paymentId, "pay_unapplied"));
    expect(row?.invoiceId).toBeNull();
  });

  it("reconciliation.result without a tolerance defaults it to 0, negatives allowed", async () => {
    const event = makeEvent(
      "reconciliation.result",
      {},
      { runId: "rec-default", toleranceMinor: undefined, expectedMinor: -500, actualMinor: -450 },
    );
    await acceptOne(event);
    const [row] = await rowsOf(
      reconciliationResults,
      eq(reconciliationResults.runId, "rec-default"),
    );
    expect(row).toMatchObject({ toleranceMinor: 0, expectedMinor: -500, actualMinor: -450 });
  });

  it("invoice.disputed → invoice_disputes, with and without an amount", async () => {
    const partial = makeEvent("invoice.disputed", {}, { invoiceId: "INV-DISPUTED" });
    const full = makeEvent(
      "invoice.disputed",
      {},
      { invoiceId: "INV-DISPUTED", reason: "Not ordered", amountMinor: undefined },
    );
    const partialLogged = logged(partial, await acceptOne(partial));
    const fullLogged = logged(full, await acceptOne(full));
    const where = eq(invoiceDisputes.invoiceId, "INV-DISPUTED");
    expect(await rowsOf(invoiceDisputes, where, invoiceDisputes.eventSeq)).toEqual([
      {
        invoiceId: "INV-DISPUTED",
        reason: "Usage double-counted on Oct 14",
        amountMinor: 15000,
        ...partialLogged,
      },
      { invoiceId: "INV-DISPUTED", reason: "Not ordered", amountMinor: null, ...fullLogged },
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
    const failedLogged = logged(failed, await acceptOne(failed), true);
    const succeededLogged = logged(succeeded, await acceptOne(succeeded), true);
    const posting = { postingId: "PST-HAPPY", invoiceId: "INV-2026-10-0042", entity: "ACME-US" };
    const where = eq(erpPostingAttempts.postingId, "PST-HAPPY");
    expect(await rowsOf(erpPostingAttempts, where, erpPostingAttempts.attempt)).toEqual([
      {
        ...posting,
        attempt: 1,
        status: "failed",
        attemptedAt: new Date("2026-11-01T06:15:00Z"),
        errorCode: "GL_PERIOD_CLOSED",
        errorMessage: "Accounting period 2026-10 is closed for posting",
        ...failedLogged,
      },
      {
        ...posting,
        attempt: 2,
        status: "succeeded",
        attemptedAt: new Date("2026-11-01T06:45:00Z"),
        errorCode: null,
        errorMessage: null,
        ...succeededLogged,
      },
    ]);
  });

  it("correction.executed → correction_executions; a failure must say why", async () => {
    const correctionId = "0b6f3f4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b";
    const event = makeEvent("correction.executed", {}, { correctionId });
    const stored = await acceptOne(event);
    const where = eq(correctionExecutions.correctionId, correctionId);
    expect(await rowsOf(correctionExecutions, where)).toEqual([
      {
        correctionId,
        status: "executed",
        executedAt: new Date("2026-11-21T09:05:00Z"),
        documentRef: "CN-2026-0042",
        errorMessage: null,
        ...logged(event, stored),
      },
    ]);
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
    const [row] = await rowsOf(fxRates, eq(fxRates.currency, "CAD"));
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
