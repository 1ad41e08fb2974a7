import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { events, usageCheckpoints } from "@/db/schema";
import { suiteWithKeys } from "../support/api-keys";
import { makeEvent, postEvents } from "./support";

/*
 * A later usage.checkpoint (by event time) for the same source, entity, meter and window
 * supersedes the earlier one. "Later" is the event's own time, never the order of arrival:
 * producers retry, so an old checkpoint may well arrive after the new one.
 */

const { t, keys } = suiteWithKeys({ writer: ["ingest"] });

const WINDOW = { windowStart: "2026-11-01T10:00:00Z", windowEnd: "2026-11-01T11:00:00Z" };

function checkpoint(meter: string, time: string, receivedCount: number, extra = {}) {
  return makeEvent(
    "usage.checkpoint",
    { time, ...extra },
    { ...WINDOW, meter, expectedCount: 1000, receivedCount },
  );
}

async function rowsFor(meter: string, source = "/tests/ingest") {
  return t.db
    .select()
    .from(usageCheckpoints)
    .where(and(eq(usageCheckpoints.meter, meter), eq(usageCheckpoints.source, source)));
}

async function send(...batches: unknown[][]) {
  for (const batch of batches) {
    const res = await postEvents(t.db, batch, { key: keys.writer });
    expect(res.status).toBe(200);
    expect(res.body.rejected).toEqual([]);
  }
}

describe("usage checkpoint supersession", () => {
  it("a later checkpoint replaces an earlier one", async () => {
    const early = checkpoint("in_order", "2026-11-01T11:05:00Z", 900);
    const late = checkpoint("in_order", "2026-11-01T11:30:00Z", 995);
    await send([early], [late]);
    const rows = await rowsFor("in_order");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      receivedCount: 995,
      eventId: late.id,
      eventTime: new Date(late.time),
    });
    // The superseded event itself is still in the log.
    expect(await t.db.select().from(events).where(eq(events.eventId, early.id))).toHaveLength(1);
  });

  it("an older checkpoint arriving later does not overwrite the newer one", async () => {
    const early = checkpoint("out_of_order", "2026-11-01T11:05:00Z", 900);
    const late = checkpoint("out_of_order", "2026-11-01T11:30:00Z", 995);
    await send([late], [early]);
    const [row] = await rowsFor("out_of_order");
    expect(row).toMatchObject({ receivedCount: 995, eventId: late.id });
  });

  it("gives the same row for both orders within one batch", async () => {
    const early = checkpoint("batch_a", "2026-11-01T11:05:00Z", 900);
    const late = checkpoint("batch_a", "2026-11-01T11:30:00Z", 995);
    const earlyB = checkpoint("batch_b", "2026-11-01T11:05:00Z", 900);
    const lateB = checkpoint("batch_b", "2026-11-01T11:30:00Z", 995);
    await send([early, late], [lateB, earlyB]);
    expect((await rowsFor("batch_a"))[0]).toMatchObject({ receivedCount: 995, eventId: late.id });
    expect((await rowsFor("batch_b"))[0]).toMatchObject({ receivedCount: 995, eventId: lateB.id });
  });

  it("compares instants, not the text of the timestamps", async () => {
    // 12:30+02:00 is 10:30Z: earlier than 11:00Z although its text sorts later.
    const late = checkpoint("zones", "2026-11-01T11:00:00Z", 995);
    const early = checkpoint("zones", "2026-11-01T12:30:00+02:00", 900);
    await send([late], [early]);
    expect((await rowsFor("zones"))[0]).toMatchObject({ receivedCount: 995, eventId: late.id });
  });

  it("breaks a tie in event time by event id, whatever the arrival order", async () => {
    const time = "2026-11-01T11:15:00Z";
    const a = checkpoint("tie_1", time, 900, { id: "tie-a" });
    const b = checkpoint("tie_1", time, 950, { id: "tie-b" });
    const a2 = checkpoint("tie_2", time, 900, { id: "tie2-a" });
    const b2 = checkpoint("tie_2", time, 950, { id: "tie2-b" });
    await send([a], [b], [b2], [a2]);
    expect((await rowsFor("tie_1"))[0]).toMatchObject({ receivedCount: 950, eventId: "tie-b" });
    expect((await rowsFor("tie_2"))[0]).toMatchObject({ receivedCount: 950, eventId: "tie2-b" });
  });

  it("keeps separate rows per source, entity and window", async () => {
    const base = checkpoint("separate", "2026-11-01T11:05:00Z", 900);
    const otherSource = checkpoint("separate", "2026-11-01T11:30:00Z", 901, {
      source: "/tests/other",
    });
    const otherEntity = makeEvent(
      "usage.checkpoint",
      { time: "2026-11-01T11:30:00Z" },
      { ...WINDOW, meter: "separate", entity: "ACME-DE", expectedCount: 1000, receivedCount: 902 },
    );
    const otherWindow = makeEvent(
      "usage.checkpoint",
      { time: "2026-11-01T12:30:00Z" },
      {
        meter: "separate",
        windowStart: "2026-11-01T11:00:00Z",
        windowEnd: "2026-11-01T12:00:00Z",
        expectedCount: 1000,
        receivedCount: 903,
      },
    );
    await send([base, otherSource, otherEntity, otherWindow]);
    const mine = await rowsFor("separate");
    expect(mine.map((r) => r.receivedCount).sort()).toEqual([900, 902, 903]);
    expect((await rowsFor("separate", "/tests/other")).map((r) => r.receivedCount)).toEqual([901]);
  });

  it("lands on the newest checkpoint when many race in concurrent requests", async () => {
    const times = Array.from({ length: 12 }, (_, i) => `2026-11-01T11:${String(10 + i)}:00Z`);
    const all = times.map((time, i) => checkpoint("race", time, 900 + i));
    const newest = all.at(-1)!;
    await Promise.all(
      [...all].reverse().map((event) => postEvents(t.db, event, { key: keys.writer })),
    );
    const rows = await rowsFor("race");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ receivedCount: 911, eventId: newest.id });
  });
});
