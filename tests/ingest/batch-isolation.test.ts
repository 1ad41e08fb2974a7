import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "@/db/rows";
import { suiteWithKeys } from "../support/api-keys";
import { makeEvent, postEvents } from "./support";

/*
 * A batch is answered item by item: each item accepted, a duplicate, or rejected with its
 * index and reason. Nothing one item holds may turn the batch into a 500 and lose the
 * others, neither two items that name one record in different spellings nor an item the
 * database refuses for a reason validation cannot see.
 */

const { t, keys } = suiteWithKeys({ writer: ["ingest"] });

/** A checkpoint well below target whose window ended long ago: it raises usage_incomplete. */
function shortCheckpoint(meter: string, time: string, windowStart: string, windowEnd: string) {
  return makeEvent(
    "usage.checkpoint",
    { time },
    { entity: "ACME-EU", meter, windowStart, windowEnd, expectedCount: 1000, receivedCount: 500 },
  );
}

async function exceptionsFor(meter: string) {
  return queryRows<{ problem_key: string; details: { receivedCount: number } }>(
    t.db,
    sql`select problem_key, details from exceptions
        where type = 'usage_incomplete' and details->>'meter' = ${meter}`,
  );
}

describe("one window written with two UTC offsets in one batch", () => {
  it("is one window: the batch lands, the later checkpoint wins and one exception is raised", async () => {
    const good = makeEvent("invoice.issued", {}, { invoiceId: "INV-ISOLATION-1" });
    const utc = shortCheckpoint(
      "offsets",
      "2026-03-05T11:05:00Z",
      "2026-03-05T10:00:00Z",
      "2026-03-05T11:00:00Z",
    );
    const plusTwo = shortCheckpoint(
      "offsets",
      "2026-03-05T11:10:00Z",
      "2026-03-05T12:00:00+02:00",
      "2026-03-05T13:00:00+02:00",
    );
    (plusTwo.data as Record<string, unknown>).receivedCount = 600;
    const res = await postEvents(t.db, [utc, good, plusTwo], { key: keys.writer });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accepted: 3, duplicates: 0, rejected: [] });

    const rows = await queryRows<{ received_count: string | number; event_id: string }>(
      t.db,
      sql`select received_count, event_id from usage_checkpoints where meter = 'offsets'`,
    );
    expect(rows).toEqual([{ received_count: expect.anything(), event_id: plusTwo.id }]);
    expect(Number(rows[0]!.received_count)).toBe(600);
    // In one transaction (its now() stamps every item), not stored apart after a failure.
    const stamps = await queryRows<{ stamps: string | number }>(
      t.db,
      sql`select count(distinct received_at) as stamps from events
          where event_id in (${utc.id}, ${good.id}, ${plusTwo.id})`,
    );
    expect(Number(stamps[0]!.stamps)).toBe(1);
    const raised = await exceptionsFor("offsets");
    expect(raised).toHaveLength(1);
    expect(raised[0]!.details.receivedCount).toBe(600);
  });

  it("windows a millisecond apart are two windows with an exception each", async () => {
    const a = shortCheckpoint(
      "millis",
      "2026-03-06T11:05:00Z",
      "2026-03-06T10:00:00Z",
      "2026-03-06T11:00:00Z",
    );
    const b = shortCheckpoint(
      "millis",
      "2026-03-06T11:05:00Z",
      "2026-03-06T10:00:00.001Z",
      "2026-03-06T11:00:00.001Z",
    );
    const res = await postEvents(t.db, [a, b], { key: keys.writer });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    const raised = await exceptionsFor("millis");
    expect(raised.map((r) => r.problem_key).sort()).toEqual([
      "/tests/ingest|ACME-EU|millis|2026-03-06T10:00:00.001Z|2026-03-06T11:00:00.001Z",
      // A window on whole seconds keeps the keys.writer it always had.
      "/tests/ingest|ACME-EU|millis|2026-03-06T10:00:00Z|2026-03-06T11:00:00Z",
    ]);
  });
});

describe("an item the database refuses", () => {
  it("is rejected with its index and reason; the rest of the batch is stored", async () => {
    // A refusal validation cannot foresee, made by the real database: a check that fails for
    // one invoice id only.
    await t.db.execute(
      sql`alter table invoices add constraint test_refuses_one check (invoice_id <> 'INV-REFUSED')`,
    );
    try {
      const before = makeEvent("invoice.issued", {}, { invoiceId: "INV-BEFORE" });
      const refused = makeEvent("invoice.issued", {}, { invoiceId: "INV-REFUSED" });
      const after = makeEvent("payment.received", {}, { paymentId: "PAY-AFTER" });
      const res = await postEvents(t.db, [before, refused, after], { key: keys.writer });
      expect(res.status).toBe(200);
      expect(res.body.accepted).toBe(2);
      expect(res.body.duplicates).toBe(0);
      expect(res.body.rejected).toEqual([
        { index: 1, id: refused.id, errors: [expect.stringMatching(/could not be stored/)] },
      ]);
      const stored = await queryRows<{ event_id: string }>(
        t.db,
        sql`select event_id from events where event_id in (${before.id}, ${refused.id}, ${after.id}) order by event_id`,
      );
      expect(stored.map((r) => r.event_id).sort()).toEqual([before.id, after.id].sort());
      const kept = await queryRows<{ batch_index: number; event_id: string; payload: unknown }>(
        t.db,
        sql`select batch_index, event_id, payload from rejected_events where event_id = ${refused.id}`,
      );
      expect(kept).toEqual([{ batch_index: 1, event_id: refused.id, payload: refused }]);
      // Sent again once the cause is gone, it is accepted: nothing of it was half-kept.
      await t.db.execute(sql`alter table invoices drop constraint test_refuses_one`);
      const again = await postEvents(t.db, [refused], { key: keys.writer });
      expect(again.body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    } finally {
      await t.db.execute(sql`alter table invoices drop constraint if exists test_refuses_one`);
    }
  });
});

describe("an error no item causes", () => {
  it("fails the request whole: nothing is stored and nothing is pinned on an item", async () => {
    // A schema the code does not match (an upgrade gone wrong) fails every item alike;
    // rejecting them all would hide it, so the request fails and can be sent again.
    await t.db.execute(sql`alter table payments rename column customer_id to customer_ref`);
    try {
      const a = makeEvent("payment.received", {}, { paymentId: "PAY-SCHEMA-1" });
      const b = makeEvent("invoice.issued", {}, { invoiceId: "INV-SCHEMA-1" });
      const res = await postEvents(t.db, [a, b], { key: keys.writer });
      expect(res.status).toBe(500);
      const stored = await queryRows<{ n: string | number }>(
        t.db,
        sql`select count(*) as n from events where event_id in (${a.id}, ${b.id})`,
      );
      expect(Number(stored[0]!.n)).toBe(0);
      const rejected = await queryRows<{ n: string | number }>(
        t.db,
        sql`select count(*) as n from rejected_events where event_id in (${a.id}, ${b.id})`,
      );
      expect(Number(rejected[0]!.n)).toBe(0);
    } finally {
      await t.db.execute(sql`alter table payments rename column customer_ref to customer_id`);
    }
  });
});
