import { eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { events, invoiceDisputes, invoices, rejectedEvents } from "@/db/schema";
import { suiteWithKeys } from "../support/api-keys";
import { makeEvent, postEvents, type IngestAnswer } from "./support";

/*
 * (source, id) identifies an event: a copy is answered as a duplicate and changes nothing,
 * whether it arrives later, in the same batch, or in a request racing the first.
 */

const { t, keys } = suiteWithKeys({ writer: ["ingest"] });

function total(answers: { body: IngestAnswer }[]) {
  return answers.reduce(
    (sum, { body }) => ({
      accepted: sum.accepted + body.accepted,
      duplicates: sum.duplicates + body.duplicates,
      rejected: sum.rejected + body.rejected.length,
    }),
    { accepted: 0, duplicates: 0, rejected: 0 },
  );
}

describe("duplicate suppression", () => {
  it("answers a resent event as a duplicate and keeps the first version", async () => {
    const first = makeEvent("invoice.issued", {}, { invoiceId: "INV-RESENT", amountMinor: 100 });
    expect((await postEvents(t.db, first, { key: keys.writer })).body).toEqual({
      accepted: 1,
      duplicates: 0,
      rejected: [],
    });
    // Same (source, id), different content and a later time: still the same event.
    const resent = {
      ...first,
      time: "2027-01-01T00:00:00Z",
      data: { ...(first.data as object), amountMinor: 999 },
    };
    expect((await postEvents(t.db, resent, { key: keys.writer })).body).toEqual({
      accepted: 0,
      duplicates: 1,
      rejected: [],
    });
    const stored = await t.db.select().from(events).where(eq(events.eventId, first.id));
    expect(stored).toHaveLength(1);
    expect(stored[0]?.data).toMatchObject({ amountMinor: 100 });
    const [invoice] = await t.db
      .select()
      .from(invoices)
      .where(eq(invoices.invoiceId, "INV-RESENT"));
    expect(invoice).toMatchObject({ amountMinor: 100, eventId: first.id });
  });

  it("treats the same id from another source as another event", async () => {
    const a = makeEvent("invoice.disputed", { id: "shared-id", source: "/billing/eu" });
    const b = makeEvent("invoice.disputed", { id: "shared-id", source: "/billing/us" });
    expect((await postEvents(t.db, [a, b], { key: keys.writer })).body).toEqual({
      accepted: 2,
      duplicates: 0,
      rejected: [],
    });
    expect(await t.db.select().from(events).where(eq(events.eventId, "shared-id"))).toHaveLength(2);
  });

  it("counts a copy inside one batch as a duplicate", async () => {
    const event = makeEvent("invoice.disputed", {}, { invoiceId: "INV-IN-BATCH" });
    const res = await postEvents(
      t.db,
      [event, event, { ...event, data: { invoiceId: "x", reason: "y" } }],
      {
        key: keys.writer,
      },
    );
    expect(res.body).toEqual({ accepted: 1, duplicates: 2, rejected: [] });
    const disputes = await t.db
      .select()
      .from(invoiceDisputes)
      .where(eq(invoiceDisputes.eventId, event.id));
    expect(disputes).toHaveLength(1);
    expect(disputes[0]?.invoiceId).toBe("INV-IN-BATCH");
  });

  it("accepts exactly one of 20 concurrent copies of one event", async () => {
    // invoice.disputed appends a projection row per event, so a second acceptance would show.
    const event = makeEvent("invoice.disputed", {}, { invoiceId: "INV-RACE" });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => postEvents(t.db, event, { key: keys.writer })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(total(answers)).toEqual({ accepted: 1, duplicates: 19, rejected: 0 });
    expect(await t.db.select().from(events).where(eq(events.eventId, event.id))).toHaveLength(1);
    expect(
      await t.db.select().from(invoiceDisputes).where(eq(invoiceDisputes.invoiceId, "INV-RACE")),
    ).toHaveLength(1);
  });

  it("accepts each event once when overlapping batches race, without deadlocking", async () => {
    const shared = Array.from({ length: 50 }, (_, i) =>
      makeEvent("invoice.issued", {}, { invoiceId: `INV-OVERLAP-${i}` }),
    );
    // Each request sends the same events in another order: the classic deadlock recipe.
    const orders = Array.from({ length: 6 }, (_, r) => {
      const rotated = [...shared.slice(r * 8), ...shared.slice(0, r * 8)];
      return r % 2 === 0 ? rotated : rotated.reverse();
    });
    for (const order of orders) expect(new Set(order.map((e) => e.id)).size).toBe(50);
    const answers = await Promise.all(
      orders.map((batch) => postEvents(t.db, batch, { key: keys.writer })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(200));
    expect(total(answers)).toEqual({ accepted: 50, duplicates: 250, rejected: 0 });
    const ids = shared.map((e) => e.id);
    expect(await t.db.select().from(events).where(inArray(events.eventId, ids))).toHaveLength(50);
    expect(await t.db.select().from(invoices).where(inArray(invoices.eventId, ids))).toHaveLength(
      50,
    );
  });
});

describe("a batch with good and bad items", () => {
  it("stores the good ones and lists the bad ones by index", async () => {
    const good1 = makeEvent("payment.received", {}, { paymentId: "pay_mixed_1" });
    const bad1 = makeEvent("payment.received", {}, { paymentId: "pay_mixed_bad", amountMinor: -3 });
    const good2 = makeEvent("invoice.issued", {}, { invoiceId: "INV-MIXED" });
    const bad2 = makeEvent("invoice.issued", { type: "invoice.cancelled" });
    const res = await postEvents(t.db, [good1, bad1, good2, bad2, good1, "junk"], {
      key: keys.writer,
    });
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(2);
    expect(res.body.duplicates).toBe(1);
    expect(res.body.rejected.map((r) => [r.index, r.id])).toEqual([
      [1, bad1.id],
      [3, bad2.id],
      [5, null],
    ]);
    expect(res.body.rejected[0]?.errors).toEqual(["data.amountMinor: must not be negative"]);
    expect(res.body.rejected[1]?.errors[0]).toMatch(
      /^type: unknown event type "invoice\.cancelled"/,
    );

    const stored = await t.db
      .select({ id: events.eventId })
      .from(events)
      .where(inArray(events.eventId, [good1.id, bad1.id, good2.id, bad2.id]));
    expect(stored.map((r) => r.id).sort()).toEqual([good1.id, good2.id].sort());
    const kept = await t.db
      .select({ index: rejectedEvents.batchIndex, id: rejectedEvents.eventId })
      .from(rejectedEvents)
      .where(inArray(rejectedEvents.eventId, [bad1.id, bad2.id]));
    expect(kept).toEqual(
      expect.arrayContaining([
        { index: 1, id: bad1.id },
        { index: 3, id: bad2.id },
      ]),
    );
  });

  it("answers 200 with everything rejected when no item is good", async () => {
    const res = await postEvents(t.db, [{}, { specversion: "1.0" }], { key: keys.writer });
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(0);
    expect(res.body.duplicates).toBe(0);
    expect(res.body.rejected.map((r) => r.index)).toEqual([0, 1]);
    expect(res.body.rejected[0]?.errors).toEqual(
      expect.arrayContaining([expect.stringMatching(/^id: /), expect.stringMatching(/^source: /)]),
    );
  });

  it("does not let a rejected copy count as a duplicate of a good one", async () => {
    const good = makeEvent("invoice.disputed");
    const badCopy = { ...good, data: { invoiceId: "" } };
    const res = await postEvents(t.db, [badCopy, good], { key: keys.writer });
    expect(res.body.accepted).toBe(1);
    expect(res.body.duplicates).toBe(0);
    expect(res.body.rejected.map((r) => r.index)).toEqual([0]);
  });
});
