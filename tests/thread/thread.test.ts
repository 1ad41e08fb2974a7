import { beforeAll, describe, expect, it } from "vitest";
import type { ThreadHop } from "@/lib/contract/thread-api";
import { loadCustomerThread, loadInvoiceThread } from "@/lib/thread/load";
import { testDbForSuite } from "../support/db";
import { disputed, event, unique } from "../exceptions/support";
import {
  entitlementEvent,
  ids,
  ingestAll,
  invoicePostingAttempt,
  invoiceEvent,
  paymentEvent,
  usageEvent,
} from "./support";

/*
 * The revenue thread from hand-worked telemetry, with the default targets (usage ≥ 99.5%,
 * invoice latency ≤ 24 h, payment to entitlement ≤ 15 min; overdue after 1 h). Every
 * invoice's billing period is 2025-02-01 → 2025-03-01 unless said otherwise, and each has an
 * entity of its own, so its usage is exactly the checkpoints given here.
 */

const t = testDbForSuite();
const H = 3_600_000;
const D = 24 * H;

const at = (ms: string) => new Date(ms);
const byStage = (hops: ThreadHop[]) => Object.fromEntries(hops.map((h) => [h.stage, h]));
const statuses = (hops: ThreadHop[]) => hops.map((h) => h.status);

const done = ids("done");
const late = ids("late");
const stuck = ids("stuck");
const pending = ids("pending");
const zero = ids("zero");
const payDone = unique("pay-done");
const payLate = unique("pay-late");
const payStuck = unique("pay-stuck");
const contract = unique("ctr");

beforeAll(async () => {
  await ingestAll(t.db, [
    // done: complete usage, issued 6 h after the period, posted on the 2nd attempt, paid,
    // access updated 5 min after the payment.
    usageEvent(done.entity, "2025-02-10T00:00:00Z", "2025-02-10T01:00:00Z", 1000, 1000),
    invoiceEvent({ ...done, issuedAt: "2025-03-01T06:00:00Z" }),
    invoicePostingAttempt(done, 1, "failed", "2025-03-01T07:00:00Z"),
    invoicePostingAttempt(done, 2, "succeeded", "2025-03-01T09:00:00Z"),
    paymentEvent(payDone, done.customerId, done.invoiceId, 125_000, "2025-03-10T12:00:00Z"),
    entitlementEvent(done.customerId, "active", "2025-03-10T12:05:00Z", payDone),
    // late: 90% of usage, issued 48 h after the period, access updated 30 min after payment.
    usageEvent(late.entity, "2025-02-10T00:00:00Z", "2025-02-10T01:00:00Z", 1000, 900),
    invoiceEvent({ ...late, issuedAt: "2025-03-03T00:00:00Z" }),
    invoicePostingAttempt(late, 1, "succeeded", "2025-03-03T01:00:00Z"),
    paymentEvent(payLate, late.customerId, late.invoiceId, 125_000, "2025-03-04T01:00:00Z"),
    entitlementEvent(late.customerId, "active", "2025-03-04T01:30:00Z", payLate),
    // stuck: no usage, posting failed twice, paid, no entitlement update after the payment;
    // the customer was restricted the day before they paid.
    invoiceEvent({ ...stuck, issuedAt: "2025-03-01T06:00:00Z" }),
    invoicePostingAttempt(stuck, 1, "failed", "2025-03-01T07:00:00Z"),
    invoicePostingAttempt(stuck, 2, "failed", "2025-03-01T08:00:00Z"),
    paymentEvent(payStuck, stuck.customerId, stuck.invoiceId, 125_000, "2025-03-05T00:00:00Z"),
    entitlementEvent(stuck.customerId, "active", "2025-02-01T00:00:00Z"),
    entitlementEvent(
      stuck.customerId,
      "restricted",
      "2025-03-04T00:00:00Z",
      undefined,
      "invoice_overdue_3d",
    ),
    disputed(stuck.invoiceId, "2025-03-06T00:00:00Z"),
    event(
      "contract.amended",
      {
        contractId: contract,
        customerId: stuck.customerId,
        entity: stuck.entity,
        effectiveFrom: "2025-02-01T00:00:00Z",
        amendedAt: "2025-03-02T00:00:00Z",
        currency: "USD",
        amountImpactMinor: -25_000,
      },
      "2025-03-02T00:00:00Z",
    ),
    // pending: billed in advance for March, nothing after the invoice yet.
    invoiceEvent({
      ...pending,
      periodStart: "2025-03-01T00:00:00Z",
      periodEnd: "2025-04-01T00:00:00Z",
      issuedAt: "2025-03-01T00:00:00Z",
    }),
    entitlementEvent(pending.customerId, "restricted", "2025-03-02T00:00:00Z"),
    // zero: nothing to pay.
    invoiceEvent({ ...zero, amountMinor: 0, issuedAt: "2025-03-01T06:00:00Z" }),
  ]);
});

describe("an invoice's revenue thread", () => {
  it("lists one hop per stage, in stage order", async () => {
    const thread = await loadInvoiceThread(t.db, done.invoiceId, at("2025-03-20T00:00:00Z"));
    expect(thread!.hops.map((h) => h.stage)).toEqual([
      "usage",
      "invoice",
      "erp_posting",
      "payment",
      "entitlement",
    ]);
  });

  it("done: every hop reached within its target, durations from the hop before", async () => {
    const thread = (await loadInvoiceThread(t.db, done.invoiceId, at("2025-03-20T00:00:00Z")))!;
    const h = byStage(thread.hops);
    expect(statuses(thread.hops)).toEqual(["done", "done", "done", "done", "done"]);
    expect(h.usage).toMatchObject({ at: "2025-03-01T00:00:00.000Z", durationMs: null });
    expect(h.usage!.summary).toContain("100.00% of expected usage arrived");
    // 06:00 − 00:00 = 6 h, under the 24 h target.
    expect(h.invoice).toMatchObject({
      at: "2025-03-01T06:00:00.000Z",
      durationMs: 6 * H,
      targetMs: 24 * H,
    });
    // The first success, at 09:00: 3 h after the invoice.
    expect(h.erp_posting).toMatchObject({
      at: "2025-03-01T09:00:00.000Z",
      durationMs: 3 * H,
      targetMs: null,
    });
    expect(h.erp_posting!.summary).toBe("Posted to the ERP after failing once: TAX_CODE_MISSING");
    expect(h.erp_posting!.items).toHaveLength(2);
    // Mar 1 09:00 → Mar 10 12:00 = 9 d 3 h.
    expect(h.payment).toMatchObject({ at: "2025-03-10T12:00:00.000Z", durationMs: 9 * D + 3 * H });
    // 5 min after the payment, under the 15 min target.
    expect(h.entitlement).toMatchObject({ durationMs: 5 * 60_000, targetMs: 15 * 60_000 });
    expect(thread.stuckStage).toBeNull();
    expect(thread.sentence).toBe("Nothing is stuck: every stage is done or does not apply.");
  });

  it("late: usage under its target, an invoice 48 h after the period, access 30 min after payment", async () => {
    const thread = (await loadInvoiceThread(t.db, late.invoiceId, at("2025-03-20T00:00:00Z")))!;
    const h = byStage(thread.hops);
    expect(statuses(thread.hops)).toEqual(["late", "late", "done", "done", "late"]);
    expect(h.usage!.summary).toBe(
      "90.00% of expected usage arrived (100 records missing), below the ≥ 99.5% target: the invoice may miss usage",
    );
    expect(h.invoice).toMatchObject({ durationMs: 48 * H, targetMs: 24 * H });
    expect(h.erp_posting).toMatchObject({ durationMs: 1 * H });
    expect(h.erp_posting!.summary).toContain("first time");
    expect(h.payment).toMatchObject({ durationMs: 24 * H });
    expect(h.entitlement).toMatchObject({ durationMs: 30 * 60_000, targetMs: 15 * 60_000 });
    // The first stuck or late hop is the one named.
    expect(thread.stuckStage).toBe("usage");
    expect(thread.sentence).toMatch(/^90\.00% of expected usage arrived/);
  });

  it("stuck: a posting that failed twice, then an entitlement overdue after the payment", async () => {
    // 30 min after the payment: the entitlement update is not yet due.
    const early = (await loadInvoiceThread(t.db, stuck.invoiceId, at("2025-03-05T00:30:00Z")))!;
    expect(statuses(early.hops)).toEqual(["not_applicable", "done", "stuck", "done", "pending"]);
    const h = byStage(early.hops);
    expect(h.usage!.summary).toBe(`No usage checkpoints for ${stuck.entity} in the billing period`);
    // The latest failure, 2 h after the invoice; the payment 3 d 16 h after that failure.
    expect(h.erp_posting).toMatchObject({ at: "2025-03-01T08:00:00.000Z", durationMs: 2 * H });
    expect(h.payment).toMatchObject({ durationMs: 3 * D + 16 * H });
    expect(h.entitlement).toMatchObject({ at: null, durationMs: null });
    expect(early.stuckStage).toBe("erp_posting");
    expect(early.sentence).toBe(
      "ERP posting failed twice: TAX_CODE_MISSING; payment done, entitlement pending — neither payment nor entitlement waits on the ERP posting: entitlement is not blocked.",
    );
    expect(early.exceptions.map((x) => x.type)).toContain("erp_posting_failed");
    expect(early.exceptions[0]!.href).toMatch(/^\/exceptions\/[0-9a-f-]{36}$/);
    // The dispute is on the invoice's hop.
    expect(h.invoice!.items.map((i) => i.label)).toContain("Dispute");

    // 3 h after the payment: overdue (1 h) with nothing after it.
    const later = (await loadInvoiceThread(t.db, stuck.invoiceId, at("2025-03-05T03:00:00Z")))!;
    const e = byStage(later.hops).entitlement!;
    expect(e.status).toBe("stuck");
    expect(e.summary).toBe(
      `No entitlement update 3 h after payment ${payStuck} (overdue after 1 h)`,
    );
    expect(later.stuckStage).toBe("erp_posting");
    expect(later.sentence).toBe(
      "ERP posting failed twice: TAX_CODE_MISSING; payment done, entitlement stuck.",
    );
  });

  it("pending: a period not over, no posting, no payment", async () => {
    const thread = (await loadInvoiceThread(t.db, pending.invoiceId, at("2025-03-20T00:00:00Z")))!;
    expect(statuses(thread.hops)).toEqual(["pending", "done", "pending", "pending", "pending"]);
    // Billed in advance: issued 31 days before the period's end.
    expect(byStage(thread.hops).invoice!.durationMs).toBe(-31 * D);
    expect(byStage(thread.hops).payment!.summary).toBe("No payment received yet");
    expect(thread.stuckStage).toBeNull();
    expect(thread.sentence).toBe(
      "Nothing is stuck; waiting on usage: The billing period has not ended; usage is still arriving.",
    );
  });

  it("not applicable: an invoice of zero has no payment or entitlement to follow", async () => {
    const thread = (await loadInvoiceThread(t.db, zero.invoiceId, at("2025-03-20T00:00:00Z")))!;
    const h = byStage(thread.hops);
    expect(h.payment).toMatchObject({ status: "not_applicable", summary: "Nothing to pay" });
    expect(h.entitlement).toMatchObject({ status: "not_applicable" });
  });

  it("an unknown invoice has no thread", async () => {
    expect(await loadInvoiceThread(t.db, "INV-NOBODY")).toBeNull();
  });
});

describe("a customer's revenue thread", () => {
  const range = { from: at("2025-01-01T00:00:00Z"), to: at("2025-04-01T00:00:00Z") };
  /** The customer's thread over `range`, as of `now`. */
  const customerThread = async (customerId: string, now: string) =>
    (await loadCustomerThread(t.db, customerId, range, at(now)))!;

  it("says why a customer who paid is not entitled: the sync after their payment is stuck", async () => {
    const thread = await customerThread(stuck.customerId, "2025-03-05T03:00:00Z");
    expect(thread.entitlement).toMatchObject({
      entitled: false,
      status: "restricted",
      since: "2025-03-04T00:00:00.000Z",
    });
    expect(thread.entitlement.why).toBe(
      `Not entitled: access has been restricted since 2025-03-04T00:00:00.000Z, although payment ${payStuck} of 1,250.00 USD was received 3 h ago and no entitlement update has followed it (overdue after 1 h): the payment-to-entitlement sync is stuck; exception "Payment ${payStuck} has not reached entitlements" is open.`,
    );
    expect(thread.invoices.map((i) => i.invoice.invoiceId)).toEqual([stuck.invoiceId]);
    expect(thread.invoicesTruncated).toBe(false);
    expect(thread.openExceptions.map((x) => x.type)).toEqual(
      expect.arrayContaining(["erp_posting_failed", "invoice_disputed"]),
    );
    expect(thread.amendments).toMatchObject([{ contractId: contract, amountImpactMinor: -25_000 }]);
    expect(thread.disputes).toMatchObject([{ invoiceId: stuck.invoiceId, amountMinor: 15_000 }]);
  });

  it("names the unpaid invoice when no payment explains a restriction", async () => {
    const thread = await customerThread(pending.customerId, "2025-03-20T00:00:00Z");
    expect(thread.entitlement.entitled).toBe(false);
    expect(thread.entitlement.why).toBe(
      `Not entitled: access has been restricted since 2025-03-02T00:00:00.000Z; invoice ${pending.invoiceId} of 1,250.00 USD is not paid in full (No payment received yet).`,
    );
  });

  it("an active customer is entitled", async () => {
    const thread = await customerThread(done.customerId, "2025-03-20T00:00:00Z");
    expect(thread.entitlement).toMatchObject({ entitled: true, status: "active" });
    expect(thread.entitlement.why).toBe(
      `Entitled: access has been active since 2025-03-10T12:05:00.000Z, after payment ${payDone}.`,
    );
  });

  it("only follows the invoices issued in the range", async () => {
    const thread = (await loadCustomerThread(
      t.db,
      done.customerId,
      { from: at("2025-04-01T00:00:00Z"), to: at("2025-05-01T00:00:00Z") },
      at("2025-05-01T00:00:00Z"),
    ))!;
    expect(thread.invoices).toEqual([]);
  });

  it("an unknown customer has no thread", async () => {
    expect(await loadCustomerThread(t.db, "cus_nobody", range)).toBeNull();
  });
});
