import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { exceptionComments } from "@/db/schema";
import {
  assignException,
  commentOnException,
  dismissException,
  reopenException,
  resolveException,
  startException,
} from "@/lib/exceptions/workflow";
import { listAssignees } from "@/lib/exceptions/detail";
import { asActor, auditOf, failure, makeUser, seedException, workflowSuite } from "./support";

/*
 * The workflow actions: what each changes and the audit entry it writes in the same
 * transaction (a user as actor, before and after). The version and role checks, bulk actions
 * and the intervention count: workflow-checks.test.ts.
 */

const { t, team, reload } = workflowSuite();

describe("assign", () => {
  it("assigns to oneself and audits who, before and after", async () => {
    const x = await seedException(t.db);
    const done = await assignException(t.db, asActor(team.ops), {
      id: x.id,
      version: 1,
      assigneeId: team.ops.id,
    });
    expect(done).toMatchObject({ ownerId: team.ops.id, version: 2, status: "open", changed: true });
    expect(await reload(x.id)).toMatchObject({ ownerId: team.ops.id, version: 2 });
    const [entry] = await auditOf(t.db, x.id);
    expect(entry).toMatchObject({
      actorType: "user",
      actorId: team.ops.id,
      actorLabel: team.ops.email,
      action: "exception.assigned",
      before: { ownerId: null, status: "open", version: 1 },
      after: { ownerId: team.ops.id, ownerEmail: team.ops.email, status: "open", version: 2 },
      ip: "127.0.0.1",
      userAgent: "vitest",
    });
  });

  it("hands on to another user who may work exceptions, and unassigns with null", async () => {
    const x = await seedException(t.db, { ownerId: team.ops.id });
    await assignException(t.db, asActor(team.ops), {
      id: x.id,
      version: 1,
      assigneeId: team.fin.id,
    });
    await assignException(t.db, asActor(team.fin), { id: x.id, version: 2, assigneeId: null });
    expect(await reload(x.id)).toMatchObject({ ownerId: null, version: 3 });
    expect((await auditOf(t.db, x.id)).map((a) => a.action)).toEqual([
      "exception.assigned",
      "exception.unassigned",
    ]);
  });

  it("refuses assignees who cannot work exceptions or are deactivated", async () => {
    const x = await seedException(t.db);
    const gone = await makeUser(t.db, "operations", { active: false });
    for (const assignee of [team.admin, team.exec, gone]) {
      const error = await failure(
        assignException(t.db, asActor(team.ops), { id: x.id, version: 1, assigneeId: assignee.id }),
      );
      expect(error.code).toBe("invalid_input");
    }
    expect(await reload(x.id)).toMatchObject({ ownerId: null, version: 1 });
    expect(await auditOf(t.db, x.id)).toEqual([]);
  });

  it("offers as assignees the active users whose role works exceptions, by name", async () => {
    const gone = await makeUser(t.db, "operations", { active: false });
    const assignees = await listAssignees(t.db);
    const ids = assignees.map((a) => a.id);
    expect(ids).toEqual(expect.arrayContaining([team.ops.id, team.fin.id]));
    for (const other of [team.admin, team.exec, gone]) expect(ids).not.toContain(other.id);
    const labels = assignees.map((a) => a.label);
    expect(labels).toEqual([...labels].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it("writes nothing when the exception already has that owner", async () => {
    const x = await seedException(t.db, { ownerId: team.fin.id });
    const done = await assignException(t.db, asActor(team.fin), {
      id: x.id,
      version: 1,
      assigneeId: team.fin.id,
    });
    expect(done).toMatchObject({ changed: false, version: 1 });
    expect(await auditOf(t.db, x.id)).toEqual([]);
  });
});

describe("comment", () => {
  it("appends a comment with an audit entry and leaves the version alone", async () => {
    const x = await seedException(t.db);
    const done = await commentOnException(t.db, asActor(team.fin), {
      id: x.id,
      version: 1,
      body: "  Called the ERP team.  ",
    });
    expect(done.version).toBe(1);
    const comments = await t.db
      .select()
      .from(exceptionComments)
      .where(eq(exceptionComments.exceptionId, x.id));
    expect(comments).toEqual([
      expect.objectContaining({
        id: done.commentId,
        authorId: team.fin.id,
        body: "Called the ERP team.",
      }),
    ]);
    const [entry] = await auditOf(t.db, x.id);
    expect(entry).toMatchObject({
      actorId: team.fin.id,
      action: "exception.commented",
      after: { commentId: done.commentId, body: "Called the ERP team." },
    });
    // Commenting on a closed exception is allowed: people explain after the fact.
    await resolveException(t.db, asActor(team.fin), {
      id: x.id,
      version: 1,
      code: "fixed_in_source",
    });
    await commentOnException(t.db, asActor(team.ops), {
      id: x.id,
      version: 2,
      body: "Confirmed by the ERP team.",
    });
  });

  it("keeps comments append-only in the database", async () => {
    const x = await seedException(t.db);
    const { commentId } = await commentOnException(t.db, asActor(team.ops), {
      id: x.id,
      version: 1,
      body: "First",
    });
    await expect(
      t.db.execute(sql`update exception_comments set body = 'edited' where id = ${commentId}`),
    ).rejects.toThrow();
    await expect(
      t.db.execute(sql`delete from exception_comments where id = ${commentId}`),
    ).rejects.toThrow();
  });

  it("refuses an empty comment", async () => {
    const x = await seedException(t.db);
    expect(
      (
        await failure(
          commentOnException(t.db, asActor(team.ops), { id: x.id, version: 1, body: "   " }),
        )
      ).code,
    ).toBe("invalid_input");
  });
});

describe("start, resolve, dismiss, reopen", () => {
  it("starts an open exception, taking it when nobody owns it", async () => {
    const x = await seedException(t.db);
    const done = await startException(t.db, asActor(team.ops), { id: x.id, version: 1 });
    expect(done).toMatchObject({ status: "in_progress", ownerId: team.ops.id, version: 2 });
    const [entry] = await auditOf(t.db, x.id);
    expect(entry).toMatchObject({
      action: "exception.started",
      before: { status: "open", ownerId: null },
      after: { status: "in_progress", ownerId: team.ops.id },
    });
    // Already in progress: starting again is refused, not repeated.
    expect(
      (await failure(startException(t.db, asActor(team.ops), { id: x.id, version: 2 }))).code,
    ).toBe("conflict");
  });

  it("resolves with a reason code and note, recording who closed it", async () => {
    const x = await seedException(t.db, { status: "in_progress", ownerId: team.fin.id });
    const done = await resolveException(t.db, asActor(team.fin), {
      id: x.id,
      version: 1,
      code: "accepted_variance",
      note: "Below materiality; agreed with the controller",
    });
    expect(done).toMatchObject({ status: "resolved", version: 2 });
    const row = await reload(x.id);
    expect(row).toMatchObject({
      status: "resolved",
      closedBy: team.fin.id,
      resolutionCode: "accepted_variance",
      resolutionNote: "Below materiality; agreed with the controller",
    });
    expect(row.closedAt).toBeInstanceOf(Date);
    const [entry] = await auditOf(t.db, x.id);
    expect(entry).toMatchObject({
      action: "exception.resolved",
      before: { status: "in_progress", resolutionCode: null },
      after: { status: "resolved", resolutionCode: "accepted_variance", version: 2 },
    });
    // A closed exception is not resolved twice.
    expect(
      (
        await failure(
          resolveException(t.db, asActor(team.fin), { id: x.id, version: 2, code: "duplicate" }),
        )
      ).code,
    ).toBe("conflict");
  });

  it("checks reason codes and requires a note for 'other' and for every dismissal", async () => {
    const x = await seedException(t.db);
    const cases = [
      () => resolveException(t.db, asActor(team.ops), { id: x.id, version: 1, code: "because" }),
      () =>
        resolveException(t.db, asActor(team.ops), {
          id: x.id,
          version: 1,
          code: "other",
          note: " ",
        }),
      () =>
        dismissException(t.db, asActor(team.ops), {
          id: x.id,
          version: 1,
          code: "false_positive",
          note: "",
        }),
      () =>
        dismissException(t.db, asActor(team.ops), {
          id: x.id,
          version: 1,
          code: "fixed_in_source",
          note: "wrong list",
        }),
    ];
    for (const action of cases) expect((await failure(action)).code).toBe("invalid_input");
    expect(await reload(x.id)).toMatchObject({ status: "open", version: 1 });
  });

  it("dismisses with a reason, and reopens clearing the closure", async () => {
    const x = await seedException(t.db);
    await dismissException(t.db, asActor(team.ops), {
      id: x.id,
      version: 1,
      code: "false_positive",
      note: "Test invoice",
    });
    expect(await reload(x.id)).toMatchObject({
      status: "dismissed",
      closedBy: team.ops.id,
      resolutionCode: "false_positive",
    });
    const done = await reopenException(t.db, asActor(team.fin), {
      id: x.id,
      version: 2,
      note: "Not a test invoice after all",
    });
    expect(done).toMatchObject({ status: "open", version: 3 });
    expect(await reload(x.id)).toMatchObject({
      closedAt: null,
      closedBy: null,
      resolutionCode: null,
      resolutionNote: null,
    });
    const entries = await auditOf(t.db, x.id);
    expect(entries.map((a) => a.action)).toEqual(["exception.dismissed", "exception.reopened"]);
    expect(entries[1]).toMatchObject({
      actorId: team.fin.id,
      before: { status: "dismissed", resolutionCode: "false_positive" },
      after: { status: "open", resolutionCode: null, note: "Not a test invoice after all" },
    });
    // Only closed exceptions reopen.
    expect(
      (await failure(reopenException(t.db, asActor(team.fin), { id: x.id, version: 3 }))).code,
    ).toBe("conflict");
  });

  it("leaves an exception awaiting a correction's approval to the corrections workflow", async () => {
    const x = await seedException(t.db, { status: "awaiting_approval" });
    const error = await failure(
      resolveException(t.db, asActor(team.fin), { id: x.id, version: 1, code: "duplicate" }),
    );
    expect(error.code).toBe("conflict");
    expect(error.message).toMatch(/awaits approval/);
  });

  it("answers not found for an exception that does not exist", async () => {
    const error = await failure(
      startException(t.db, asActor(team.ops), {
        id: "00000000-0000-4000-8000-000000000001",
        version: 1,
      }),
    );
    expect(error.code).toBe("not_found");
  });
});
