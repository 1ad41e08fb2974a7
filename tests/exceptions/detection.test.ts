import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { exceptions } from "@/db/schema";
import { readSetting } from "@/db/queries/settings";
import { sweepExceptions } from "@/lib/exceptions/detect";
import { testDbForSuite } from "../support/db";
import {
  DAY,
  HOUR,
  MINUTE,
  amended,
  auditOf,
  checkpoint,
  disputed,
  entitlementUpdated,
  exceptionsFor,
  ingest,
  invoiceIssued,
  invalidEvent,
  iso,
  paymentReceived,
  postingAttempt,
  reconResult,
  theException,
  unique,
} from "./support";

/*
 * Every exception type is raised from telemetry alone (events through the real ingestion,
 * and the periodic sweep with an injected `now` for what time alone makes a problem), the
 * self-closing ones close when the telemetry says the problem is gone, and no sequence of
 * repeated or re-sent events ever makes a second exception for one problem.
 */

const t = testDbForSuite();

const actions = async (id: string) =>
  (await auditOf(t.db, id)).map((a) => `${a.actorType}:${a.action}`);

/** A new invoice and a posting of it: `attempt(n, status, at)` is one of the posting's attempts. */
function newPosting() {
  const invoice = unique("INV");
  const posting = unique("PST");
  const attempt = (n: number, status: "succeeded" | "failed", at: string, errorCode?: string) =>
    postingAttempt(posting, invoice, n, status, at, errorCode);
  return { invoice, posting, attempt };
}

describe("erp_posting_failed", () => {
  it("opens when the latest attempt failed and closes when a later attempt succeeds", async () => {
    const { invoice, posting, attempt } = newPosting();
    await ingest(t.db, [invoiceIssued(invoice), attempt(1, "failed", "2025-03-01T06:05:00Z")]);

    const raised = await theException(t.db, "erp_posting_failed", posting);
    expect(raised).toMatchObject({
      status: "open",
      invoiceId: invoice,
      postingId: posting,
      entity: "ACME-US",
      amountMinor: 125_000,
      currency: "USD",
      openedAt: new Date("2025-03-01T06:05:00Z"),
    });

    await ingest(t.db, [attempt(2, "succeeded", "2025-03-01T07:00:00Z")]);
    const closed = await theException(t.db, "erp_posting_failed", posting);
    expect(closed).toMatchObject({
      status: "resolved",
      closedBy: "system",
      resolutionCode: "confirmed_by_telemetry",
    });
    expect(closed.version).toBeGreaterThan(raised.version);
    expect(await actions(raised.id)).toEqual([
      "system:exception.raised",
      "system:exception.closed",
    ]);
  });

  it("reopens the same exception when a still later attempt fails again", async () => {
    const { invoice, posting, attempt } = newPosting();
    await ingest(
      t.db,
      [invoiceIssued(invoice), attempt(1, "failed", "2025-03-02T06:00:00Z")],
      [attempt(2, "succeeded", "2025-03-02T07:00:00Z")],
      [attempt(3, "failed", "2025-03-02T08:00:00Z", "TIMEOUT")],
    );
    const reopened = await theException(t.db, "erp_posting_failed", posting);
    expect(reopened.status).toBe("open");
    expect(reopened.closedAt).toBeNull();
    expect(reopened.details).toMatchObject({ attempt: 3, errorCode: "TIMEOUT" });
    expect(await actions(reopened.id)).toEqual([
      "system:exception.raised",
      "system:exception.closed",
      "system:exception.reopened",
    ]);
  });

  it("reopens stating the problem as it holds now: its title, amount and currency too", async () => {
    const { invoice, posting, attempt } = newPosting();
    await ingest(
      t.db,
      [attempt(1, "failed", "2025-03-02T06:00:00Z")],
      [attempt(2, "succeeded", "2025-03-02T07:00:00Z")],
    );
    const closed = await theException(t.db, "erp_posting_failed", posting);
    expect(closed).toMatchObject({ status: "resolved", amountMinor: null, currency: null });
    // The invoice arrives late, with the attempt that fails again: one reopen writes both.
    await ingest(t.db, [
      invoiceIssued(invoice),
      attempt(3, "failed", "2025-03-02T08:00:00Z", "TIMEOUT"),
    ]);
    const reopened = await theException(t.db, "erp_posting_failed", posting);
    expect(reopened).toMatchObject({
      id: closed.id,
      status: "open",
      closedAt: null,
      closedBy: null,
      resolutionCode: null,
      title: `ERP posting of ${invoice} failed: TIMEOUT`,
      amountMinor: 125_000,
      currency: "USD",
      openedAt: closed.openedAt,
      version: closed.version + 1,
    });
    expect(reopened.details).toMatchObject({ attempt: 3, errorCode: "TIMEOUT" });
    expect(await actions(reopened.id)).toEqual([
      "system:exception.raised",
      "system:exception.closed",
      "system:exception.reopened",
    ]);
  });

  it("never opens for a posting whose first attempt succeeded", async () => {
    const { invoice, posting, attempt } = newPosting();
    await ingest(t.db, [invoiceIssued(invoice), attempt(1, "succeeded", "2025-03-03T06:00:00Z")]);
    expect(await exceptionsFor(t.db, "erp_posting_failed", posting)).toEqual([]);
  });

  it("keeps one exception through duplicates, re-sent attempts and further failures", async () => {
    const { invoice, posting, attempt } = newPosting();
    const first = attempt(1, "failed", "2025-03-04T06:00:00Z");
    await ingest(t.db, [invoiceIssued(invoice), first]);
    const [duplicate] = await ingest(t.db, [first]);
    expect(duplicate).toMatchObject({ accepted: 0, duplicates: 1 });
    // The same attempt re-sent under a new event id, then a second failed attempt, twice in one batch.
    const resent = { ...first, id: unique("evt") };
    const second = attempt(2, "failed", "2025-03-04T07:00:00Z");
    await ingest(t.db, [resent], [second, { ...second, id: unique("evt") }]);
    const rows = await exceptionsFor(t.db, "erp_posting_failed", posting);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.details).toMatchObject({ attempt: 2 });
    expect((await actions(rows[0]!.id)).filter((a) => a.endsWith("raised"))).toHaveLength(1);
  });
});

describe("invoice_disputed", () => {
  it("opens one exception per disputed invoice, however many disputes arrive", async () => {
    const invoice = unique("INV");
    await ingest(t.db, [
      invoiceIssued(invoice, { amountMinor: 300_000 }),
      disputed(invoice, "2025-03-05T10:00:00Z"),
    ]);
    const raised = await theException(t.db, "invoice_disputed", invoice);
    expect(raised).toMatchObject({
      status: "open",
      invoiceId: invoice,
      customerId: "cus_1",
      amountMinor: 15_000,
    });

    const again = disputed(invoice, "2025-03-06T10:00:00Z", "Still wrong");
    await ingest(t.db, [again], [again]);
    const rows = await exceptionsFor(t.db, "invoice_disputed", invoice);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.details).toMatchObject({ disputes: 2, reason: "Still wrong" });
  });
});

describe("reconciliation_break", () => {
  it("opens for a result outside tolerance and closes when a later result for the run and key is within", async () => {
    const run = unique("rec");
    const key = unique("cus");
    await ingest(t.db, [reconResult(run, key, 100_000, 90_000, "2025-03-07T00:00:00Z")]);
    const raised = await theException(t.db, "reconciliation_break", `${run}/${key}`);
    expect(raised).toMatchObject({
      status: "open",
      runId: run,
      amountMinor: 10_000,
      currency: "USD",
    });

    // Another key of the same run breaking opens its own exception and leaves this one alone.
    const other = unique("cus");
    await ingest(t.db, [reconResult(run, other, 5_000, 0, "2025-03-07T00:01:00Z")]);
    expect((await theException(t.db, "reconciliation_break", `${run}/${key}`)).status).toBe("open");

    await ingest(t.db, [reconResult(run, key, 100_000, 99_950, "2025-03-07T01:00:00Z")]);
    const closed = await theException(t.db, "reconciliation_break", `${run}/${key}`);
    expect(closed).toMatchObject({ status: "resolved", closedBy: "system" });
    expect((await theException(t.db, "reconciliation_break", `${run}/${other}`)).status).toBe(
      "open",
    );
  });

  it("does not open for a result within tolerance", async () => {
    const run = unique("rec");
    await ingest(t.db, [reconResult(run, "k1", 100_000, 100_100, "2025-03-08T00:00:00Z")]);
    expect(await exceptionsFor(t.db, "reconciliation_break", `${run}/k1`)).toEqual([]);
  });
});

describe("entitlement_out_of_sync", () => {
  // Ingestion runs detection with the real clock, so these payments are recent; the sweep
  // is then run with an injected `now` on either side of the one-hour default.
  it("opens once the payment has waited an hour without an entitlement update, and closes when it arrives", async () => {
    const payment = unique("pay");
    const receivedAt = Date.now() - 10 * MINUTE;
    await ingest(t.db, [paymentReceived(payment, iso(receivedAt))]);
    expect(await exceptionsFor(t.db, "entitlement_out_of_sync", payment)).toEqual([]);

    await sweepExceptions(t.db, new Date(receivedAt + 59 * MINUTE));
    expect(await exceptionsFor(t.db, "entitlement_out_of_sync", payment)).toEqual([]);

    await sweepExceptions(t.db, new Date(receivedAt + HOUR + MINUTE));
    await sweepExceptions(t.db, new Date(receivedAt + 2 * HOUR));
    const raised = await theException(t.db, "entitlement_out_of_sync", payment);
    expect(raised).toMatchObject({ status: "open", paymentId: payment, amountMinor: 50_000 });
    // Opened when the hour ran out, not when the sweep noticed.
    expect(raised.openedAt).toEqual(new Date(receivedAt + HOUR));

    await ingest(t.db, [entitlementUpdated(payment, iso(receivedAt + 3 * HOUR))]);
    expect(await theException(t.db, "entitlement_out_of_sync", payment)).toMatchObject({
      status: "resolved",
      closedBy: "system",
    });
  });

  it("never opens when the update arrives within the hour", async () => {
    const payment = unique("pay");
    const receivedAt = Date.now() - 10 * MINUTE;
    await ingest(
      t.db,
      [paymentReceived(payment, iso(receivedAt))],
      [entitlementUpdated(payment, iso(receivedAt + MINUTE))],
    );
    await sweepExceptions(t.db, new Date(receivedAt + 5 * HOUR));
    expect(await exceptionsFor(t.db, "entitlement_out_of_sync", payment)).toEqual([]);
  });

  it("sweeps only what fell due since its last pass, and everything when its clock is behind", async () => {
    const last = Date.now() + DAY;
    await sweepExceptions(t.db, new Date(last));
    expect(await readSetting(t.db, "exception-sweep")).toEqual({
      sweptThrough: new Date(last).toISOString(),
    });

    // A payment written without ingestion's own detection (an operator's import), due long ago.
    const payment = unique("pay");
    await t.db.execute(sql`
      insert into events (source, event_id, type, time, data) values
        ('/tests/sweep', ${payment}, 'payment.received', '2025-02-01T00:00:00Z', '{}')`);
    await t.db.execute(sql`
      insert into payments (payment_id, customer_id, currency, amount_minor, received_at, event_seq, event_time, event_id)
        select ${payment}, 'cus_1', 'EUR', 1000, '2025-02-01T00:00:00Z', seq, time, event_id
        from events where event_id = ${payment}`);
    // Due long before the last pass: the next pass, a minute later, does not look at it…
    await sweepExceptions(t.db, new Date(last + MINUTE));
    expect(await exceptionsFor(t.db, "entitlement_out_of_sync", payment)).toEqual([]);
    // …a pass whose clock is behind the last one looks at everything.
    await sweepExceptions(t.db, new Date(last - MINUTE));
    expect((await theException(t.db, "entitlement_out_of_sync", payment)).status).toBe("open");
  });

  it("opens at ingestion for a payment that arrives already overdue", async () => {
    const payment = unique("pay");
    await ingest(t.db, [paymentReceived(payment, "2025-03-09T00:00:00Z")]);
    expect((await theException(t.db, "entitlement_out_of_sync", payment)).status).toBe("open");
  });
});

describe("retroactive_amendment", () => {
  it("opens for an amendment effective before the month it was made in, not for one effective later", async () => {
    const retro = unique("ctr");
    const forward = unique("ctr");
    const [result] = await ingest(t.db, [
      amended(retro, "2025-02-01T00:00:00Z", "2025-03-20T14:00:00Z"),
      amended(forward, "2025-04-01T00:00:00Z", "2025-03-20T14:00:00Z"),
    ]);
    expect(result!.accepted).toBe(2);
    const rows = await t.db.select().from(exceptions).where(eq(exceptions.contractId, retro));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      type: "retroactive_amendment",
      status: "open",
      amountMinor: -25_000,
    });
    expect(await t.db.select().from(exceptions).where(eq(exceptions.contractId, forward))).toEqual(
      [],
    );
  });
});

describe("usage_incomplete", () => {
  it("opens for a short window once its grace period is over and closes when a complete checkpoint supersedes it", async () => {
    const meter = unique("meter").replace("-", "_");
    // Ten minutes ago, to the second: inside the one-hour grace period at ingestion.
    const windowEnd = Math.floor((Date.now() - 10 * MINUTE) / 1000) * 1000;
    const windowStart = windowEnd - HOUR;
    const short = checkpoint(
      meter,
      iso(windowStart),
      iso(windowEnd),
      1000,
      900,
      iso(windowEnd + MINUTE),
    );
    await ingest(t.db, [short]);
    const key = `${short.source}|ACME-US|${meter}|${iso(windowStart).slice(0, 19)}Z|${iso(windowEnd).slice(0, 19)}Z`;
    expect(await exceptionsFor(t.db, "usage_incomplete", key)).toEqual([]);

    await sweepExceptions(t.db, new Date(windowEnd + 30 * MINUTE));
    expect(await exceptionsFor(t.db, "usage_incomplete", key)).toEqual([]);
    await sweepExceptions(t.db, new Date(windowEnd + 2 * HOUR));
    await sweepExceptions(t.db, new Date(windowEnd + 3 * HOUR));
    const raised = await theException(t.db, "usage_incomplete", key);
    expect(raised).toMatchObject({ status: "open", entity: "ACME-US" });
    expect(raised.details).toMatchObject({ meter, expectedCount: 1000, receivedCount: 900 });

    // The replayed backlog: a later checkpoint for the same window, complete.
    await ingest(t.db, [
      checkpoint(meter, iso(windowStart), iso(windowEnd), 1000, 1000, iso(windowEnd + 2 * HOUR)),
    ]);
    expect(await theException(t.db, "usage_incomplete", key)).toMatchObject({
      status: "resolved",
      closedBy: "system",
    });
  });

  it("keys a window of instants with fractions and offsets alike, whether a batch or the sweep judges it", async () => {
    const meter = unique("meter").replace("-", "_");
    // Three hours ago, past the grace period at ingestion: the batch's detection raises it.
    const windowEnd = Math.floor((Date.now() - 3 * HOUR) / 1000) * 1000 + 120;
    const windowStart = windowEnd - HOUR + 380;
    // windowStart spelled at +02:00 with a one-digit fraction, as a sender may.
    const local = `${iso(windowStart + 2 * HOUR).slice(0, 19)}.5+02:00`;
    expect(Date.parse(local)).toBe(windowStart);
    const meterRows = () =>
      t.db
        .select()
        .from(exceptions)
        .where(sql`${exceptions.details}->>'meter' = ${meter}`);
    const short = checkpoint(meter, local, iso(windowEnd), 1000, 900, iso(windowEnd));
    await ingest(t.db, [short]);
    // The key's instants as they always were: the fraction without its trailing zeros.
    const key = `${short.source}|ACME-US|${meter}|${iso(windowStart).slice(0, 19)}.5Z|${iso(windowEnd).slice(0, 19)}.12Z`;
    expect(await theException(t.db, "usage_incomplete", key)).toMatchObject({ status: "open" });

    // The sweep builds the key in SQL: the same exception, not a second.
    await sweepExceptions(t.db, new Date(windowEnd + DAY));
    expect(await meterRows()).toHaveLength(1);

    await ingest(t.db, [
      checkpoint(meter, iso(windowStart), iso(windowEnd), 1000, 1000, iso(windowEnd + HOUR)),
    ]);
    expect(await meterRows()).toEqual([
      expect.objectContaining({ problemKey: key, status: "resolved", closedBy: "system" }),
    ]);
  });

  it("leaves a complete window alone", async () => {
    const meter = unique("meter").replace("-", "_");
    const windowEnd = Date.parse("2025-03-10T11:00:00Z");
    await ingest(t.db, [
      checkpoint(meter, iso(windowEnd - HOUR), iso(windowEnd), 1000, 999, iso(windowEnd)),
    ]);
    await sweepExceptions(t.db, new Date(windowEnd + DAY));
    const rows = await t.db
      .select()
      .from(exceptions)
      .where(sql`${exceptions.details}->>'meter' = ${meter}`);
    expect(rows).toEqual([]);
  });
});

describe("event_rejected", () => {
  it("groups rejected events by source and reason into one exception that counts them", async () => {
    const source = `/tests/${unique("sender")}`;
    const bad = (n: number) => invalidEvent(`bad-${n}`, source, "2025-03-11T00:00:00Z");
    await ingest(t.db, [bad(1), bad(2)], [bad(3)]);
    const rows = await t.db
      .select()
      .from(exceptions)
      .where(
        and(
          eq(exceptions.type, "event_rejected"),
          sql`${exceptions.details}->>'source' = ${source}`,
        ),
      );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.details).toMatchObject({ source, count: 3, lastEventId: "bad-3" });
    expect(rows[0]!.status).toBe("open");
  });
});

describe("the periodic sweep", () => {
  it("is idempotent: sweeping again at the same moment changes nothing", async () => {
    const payment = unique("pay");
    const receivedAt = Date.now() - 10 * MINUTE;
    await ingest(t.db, [paymentReceived(payment, iso(receivedAt))]);
    const now = new Date(receivedAt + 3 * HOUR);
    await sweepExceptions(t.db, now);
    const first = await theException(t.db, "entitlement_out_of_sync", payment);
    await sweepExceptions(t.db, now);
    const second = await theException(t.db, "entitlement_out_of_sync", payment);
    expect(second.version).toBe(first.version);
    expect(await auditOf(t.db, first.id)).toHaveLength(1);
  });
});
