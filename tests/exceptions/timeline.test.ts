import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getException } from "@/db/queries/exception-detail";
import { getExceptionTimeline } from "@/db/queries/exception-timeline";
import { exceptions } from "@/db/schema";
import { assignException, commentOnException, resolveException } from "@/lib/exceptions/workflow";
import {
  asActor,
  disputed,
  ingest,
  invalidEvent,
  invoiceIssued,
  postingAttempt,
  theException,
  unique,
  operatorSuite,
} from "./support";

/*
 * One exception's detail and its timeline: the related events, system and user actions and
 * comments in order, superseded reconciliation results, an event_rejected group's items.
 */

const { t, users } = operatorSuite();

describe("one exception and its timeline", () => {
  it("tells the story: related events, system and user actions, comments, in order", async () => {
    const invoice = unique("INV");
    const posting = unique("PST");
    const unrelated = unique("INV");
    await ingest(
      t.db,
      [
        invoiceIssued(invoice, { at: "2025-05-01T06:00:00Z" }),
        invoiceIssued(unrelated, { at: "2025-05-01T06:00:00Z" }),
      ],
      [postingAttempt(posting, invoice, 1, "failed", "2025-05-01T06:05:00Z")],
      [disputed(invoice, "2025-05-02T09:00:00Z")],
    );
    const x = await theException(t.db, "erp_posting_failed", posting);
    await assignException(t.db, asActor(users.ops), {
      id: x.id,
      version: x.version,
      assigneeId: users.ops.id,
    });
    await commentOnException(t.db, asActor(users.ops), {
      id: x.id,
      version: x.version + 1,
      body: "Asked finance to reopen the period",
    });
    await resolveException(t.db, asActor(users.ops), {
      id: x.id,
      version: x.version + 1,
      code: "fixed_in_source",
      note: "Period reopened",
    });

    const detail = await getException(t.db, x.id);
    expect(detail).toMatchObject({
      id: x.id,
      status: "resolved",
      ownerEmail: users.ops.email,
      closedBy: users.ops.id,
      closedByEmail: users.ops.email,
      resolutionNote: "Period reopened",
      problemKey: posting,
      details: { attempt: 1, errorCode: "GL_PERIOD_CLOSED" },
    });

    const { items, truncated } = await getExceptionTimeline(t.db, detail!);
    expect(truncated).toBe(false);
    const story = items.map((i) =>
      i.kind === "event"
        ? `event ${i.type}`
        : i.kind === "audit"
          ? `${i.actorType} ${i.action}`
          : i.kind,
    );
    expect(story).toEqual([
      "event invoice.issued",
      "event erp.posting.attempted",
      "event invoice.disputed",
      "system exception.raised",
      "user exception.assigned",
      "comment",
      "user exception.resolved",
    ]);
    const times = items.map((i) => i.at.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(items.find((i) => i.kind === "comment")).toMatchObject({
      authorEmail: users.ops.email,
      body: "Asked finance to reopen the period",
    });
  });

  it("shows a reconciliation break's earlier results even after a later one superseded them", async () => {
    const run = unique("rec");
    const { reconResult } = await import("./support");
    await ingest(
      t.db,
      [reconResult(run, "cus_9", 100_000, 80_000, "2025-05-03T00:00:00Z")],
      [reconResult(run, "cus_8", 100_000, 10_000, "2025-05-03T00:00:00Z")],
      [reconResult(run, "cus_9", 100_000, 100_000, "2025-05-04T00:00:00Z")],
    );
    const x = await theException(t.db, "reconciliation_break", `${run}/cus_9`);
    const { items } = await getExceptionTimeline(t.db, (await getException(t.db, x.id))!);
    const results = items
      .filter((i) => i.kind === "event")
      .map((i) => (i.kind === "event" ? i.data.actualMinor : null));
    expect(results).toEqual([80_000, 100_000]);
    expect(
      items.filter((i) => i.kind === "audit").map((i) => (i.kind === "audit" ? i.action : "")),
    ).toEqual(["exception.raised", "exception.closed"]);
  });

  it("lists an event_rejected group's rejected items in the order they came", async () => {
    const source = `/tests/${unique("sender")}`;
    const bad = (n: number) => invalidEvent(`bad-${n}`, source, "2025-05-05T00:00:00Z");
    await ingest(t.db, [bad(1), bad(2), bad(3)]);
    const [row] = await t.db
      .select({ id: exceptions.id })
      .from(exceptions)
      .where(
        sql`${exceptions.type} = 'event_rejected' and ${exceptions.details}->>'source' = ${source}`,
      );
    const { items } = await getExceptionTimeline(t.db, (await getException(t.db, row!.id))!);
    expect(items.map((i) => (i.kind === "rejected" ? i.eventId : i.kind))).toEqual([
      "bad-1",
      "bad-2",
      "bad-3",
      "audit",
    ]);
  });

  it("answers null for an id that names nothing", async () => {
    expect(await getException(t.db, "not-a-uuid")).toBeNull();
    expect(await getException(t.db, "00000000-0000-4000-8000-000000000000")).toBeNull();
  });
});
