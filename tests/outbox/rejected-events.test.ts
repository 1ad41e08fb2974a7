import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { insertRejected } from "@/db/queries/ingest";
import { auditLog, events, exceptions, rejectedEvents } from "@/db/schema";
import { EVENT_TYPES } from "@/lib/contract";
import { Conflict, InvalidInput } from "@/lib/errors";
import {
  dismissRejectedEvent,
  dismissRejectedGroup,
  listGroupEvents,
  replayRejectedEvent,
  replayRejectedGroup,
} from "@/lib/exceptions/rejected-events";
import { ingestItems } from "@/lib/ingest/ingest";
import { testDbForSuite } from "../support/db";
import { makeUser } from "./support";

/*
 * Replaying a rejected event through validation, and dismissing one with a reason. A replay
 * that passes stores the event exactly as ingestion would, resolves the rejected row and is
 * audited; the group's exception closes once none of its events waits, and reopens when the
 * same source and reason are rejected again.
 */

const t = testDbForSuite();

const source = () => `urn:closeline:test:${randomUUID().slice(0, 8)}`;

function validPosting(src: string) {
  return {
    specversion: "1.0",
    id: `evt-${randomUUID()}`,
    source: src,
    type: "erp.posting.attempted",
    time: "2026-11-01T12:00:00Z",
    data: {
      ...EVENT_TYPES["erp.posting.attempted"].example,
      postingId: `PST-${randomUUID().slice(0, 8)}`,
    },
  };
}

/** Ingests items that the contract refuses, raising their group's exception. */
async function rejectedOf(items: unknown[]) {
  await ingestItems(t.db, items, { apiKeyId: null, channel: "api" });
}

/**
 * A rejected event whose payload today's contract accepts: what a contract change leaves
 * behind (validation is code, so a test cannot change it between the two steps).
 */
async function rejectedUnderOldContract(src: string, reason: string) {
  const payload = validPosting(src);
  await insertRejected(
    t.db,
    [
      {
        batchIndex: 0,
        source: src,
        eventId: payload.id,
        type: payload.type,
        payload,
        errors: [reason],
      },
    ],
    null,
    "api",
  );
  await t.db
    .insert(exceptions)
    .values({
      type: "event_rejected",
      problemKey: `${src}|${reason}`,
      title: `Rejected events from ${src}`,
      details: { source: src, reason, count: 1 },
    })
    .onConflictDoNothing();
  const [row] = await t.db
    .select()
    .from(rejectedEvents)
    .where(eq(rejectedEvents.eventId, payload.id));
  return { row: row!, payload };
}

async function groupException(src: string) {
  const [row] = await t.db
    .select()
    .from(exceptions)
    .where(
      and(eq(exceptions.type, "event_rejected"), sql`${exceptions.details}->>'source' = ${src}`),
    );
  return row!;
}

describe("replay", () => {
  it("stores a rejected event that passes validation now, resolves it and audits the replay", async () => {
    const { user, by } = await makeUser(t.db);
    const src = source();
    const { row, payload } = await rejectedUnderOldContract(src, "data.entity: unknown entity");

    expect(await replayRejectedEvent(t.db, row.id, by)).toEqual({
      id: row.id,
      outcome: "accepted",
    });
    const stored = await t.db
      .select()
      .from(events)
      .where(and(eq(events.source, src), eq(events.eventId, payload.id)));
    expect(stored).toHaveLength(1);
    const [after] = await t.db.select().from(rejectedEvents).where(eq(rejectedEvents.id, row.id));
    expect(after!.resolvedAt).toBeInstanceOf(Date);
    expect(after!.resolution).toBe("replayed");
    const [audit] = await t.db
      .select()
      .from(auditLog)
      .where(
        and(eq(auditLog.action, "rejected_event.replayed"), eq(auditLog.targetId, String(row.id))),
      );
    expect(audit).toMatchObject({
      actorType: "user",
      actorId: user.id,
      after: { resolution: "replayed" },
    });

    // The only event of its group is handled: the group's exception closes.
    expect(await groupException(src)).toMatchObject({
      status: "resolved",
      closedBy: "system",
      resolutionCode: "events_handled",
    });

    // A second replay of the same row is refused; nothing is stored twice.
    await expect(replayRejectedEvent(t.db, row.id, by)).rejects.toBeInstanceOf(Conflict);
  });

  it("resolves a replay whose event had meanwhile arrived as a duplicate", async () => {
    const { by } = await makeUser(t.db);
    const { row, payload } = await rejectedUnderOldContract(source(), "data: older contract");
    await ingestItems(t.db, [payload], { apiKeyId: null, channel: "api" });
    expect(await replayRejectedEvent(t.db, row.id, by)).toEqual({
      id: row.id,
      outcome: "duplicate",
    });
    const [after] = await t.db.select().from(rejectedEvents).where(eq(rejectedEvents.id, row.id));
    expect(after!.resolution).toBe("replayed: already stored");
  });

  it("leaves an event that still fails as it was, without a second rejection", async () => {
    const { by } = await makeUser(t.db);
    const src = source();
    await rejectedOf([{ ...validPosting(src), type: "erp.posting.unknown" }]);
    const [row] = await t.db.select().from(rejectedEvents).where(eq(rejectedEvents.source, src));
    const countBefore = (await t.db.select().from(rejectedEvents)).length;

    const result = await replayRejectedEvent(t.db, row!.id, by);
    expect(result).toMatchObject({
      outcome: "still_invalid",
      errors: [expect.stringMatching(/unknown event type/)],
    });
    expect((await t.db.select().from(rejectedEvents)).length).toBe(countBefore);
    const [after] = await t.db.select().from(rejectedEvents).where(eq(rejectedEvents.id, row!.id));
    expect(after!.resolvedAt).toBeNull();
    expect((await groupException(src)).status).toBe("open");
  });

  it("replays a whole group, each event with its own result", async () => {
    const { by } = await makeUser(t.db);
    const src = source();
    const reason = "data: rejected by the old contract";
    const a = await rejectedUnderOldContract(src, reason);
    const b = await rejectedUnderOldContract(src, reason);
    const x = await groupException(src);
    expect(await listGroupEvents(t.db, x.id)).toHaveLength(2);
    const results = await replayRejectedGroup(t.db, x.id, by);
    expect(results).toEqual([
      { id: a.row.id, outcome: "accepted" },
      { id: b.row.id, outcome: "accepted" },
    ]);
    expect((await groupException(src)).status).toBe("resolved");
  });
});

describe("dismiss", () => {
  it("needs a reason, records it, audits it and closes the group when it was the last", async () => {
    const { by } = await makeUser(t.db);
    const src = source();
    await rejectedOf([
      { ...validPosting(src), specversion: "0.3" },
      { ...validPosting(src), specversion: "0.3" },
    ]);
    const rows = await t.db.select().from(rejectedEvents).where(eq(rejectedEvents.source, src));
    expect(rows).toHaveLength(2);

    await expect(dismissRejectedEvent(t.db, rows[0]!.id, "   ", by)).rejects.toBeInstanceOf(
      InvalidInput,
    );
    await dismissRejectedEvent(t.db, rows[0]!.id, "Test traffic from a sandbox", by);
    const [dismissed] = await t.db
      .select()
      .from(rejectedEvents)
      .where(eq(rejectedEvents.id, rows[0]!.id));
    expect(dismissed!.resolution).toBe("dismissed: Test traffic from a sandbox");
    expect((await groupException(src)).status).toBe("open");
    await expect(dismissRejectedEvent(t.db, rows[0]!.id, "again", by)).rejects.toBeInstanceOf(
      Conflict,
    );

    const [audit] = await t.db
      .select()
      .from(auditLog)
      .where(
        and(
          eq(auditLog.action, "rejected_event.dismissed"),
          eq(auditLog.targetId, String(rows[0]!.id)),
        ),
      );
    expect(audit!.after).toEqual({ resolution: "dismissed: Test traffic from a sandbox" });

    await dismissRejectedEvent(t.db, rows[1]!.id, "Test traffic from a sandbox", by);
    expect((await groupException(src)).status).toBe("resolved");
  });

  it("dismisses a whole group in one step, and the group reopens when the same rejection recurs", async () => {
    const { by } = await makeUser(t.db);
    const src = source();
    const bad = () => ({ ...validPosting(src), specversion: "0.3" });
    await rejectedOf([bad(), bad(), bad()]);
    const x = await groupException(src);
    expect(
      await dismissRejectedGroup(t.db, x.id, "Sender fixed, old events irrelevant", by),
    ).toEqual({ dismissed: 3 });
    expect((await groupException(src)).status).toBe("resolved");
    await expect(dismissRejectedGroup(t.db, x.id, "again", by)).rejects.toBeInstanceOf(Conflict);

    await rejectedOf([bad()]);
    const reopened = await groupException(src);
    expect(reopened).toMatchObject({ id: x.id, status: "open", closedBy: null });
    expect(await listGroupEvents(t.db, x.id)).toHaveLength(1);
  });
});
