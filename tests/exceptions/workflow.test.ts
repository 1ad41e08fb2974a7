import { and, eq, like, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, exceptionComments, exceptions, type Role } from "@/db/schema";
import { queryRows } from "@/db/rows";
import { AppError } from "@/lib/errors";
import {
  assignException,
  bulkAssign,
  bulkDismiss,
  bulkResolve,
  commentOnException,
  dismissException,
  reopenException,
  resolveException,
  startException,
} from "@/lib/exceptions/workflow";
import { testDbForSuite } from "../support/db";
import { asActor, auditOf, makeUser, seedException, usersFor, type TestUser } from "./support";

/*
 * The workflow actions: what each changes, the audit entry it writes in the same
 * transaction (a user as actor, before and after), the version check that refuses an action
 * based on a stale read, and the role check that lets operations and finance act while
 * admin and executive cannot, whatever the caller.
 */

const t = testDbForSuite();
const team = usersFor(t, { ops: "operations", fin: "finance", admin: "admin", exec: "executive" });

async function reload(id: string) {
  const [row] = await t.db.select().from(exceptions).where(eq(exceptions.id, id));
  return row!;
}

/** The error an action fails with, for asserting its class and code. */
async function failure(action: Promise<unknown> | (() => Promise<unknown>)): Promise<AppError> {
  try {
    await (typeof action === "function" ? action() : action);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected the action to fail");
}

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

describe("optimistic concurrency", () => {
  it("refuses an action based on a version someone else has since changed, and writes nothing", async () => {
    const x = await seedException(t.db);
    // Both read version 1; operations resolves first.
    await resolveException(t.db, asActor(team.ops), { id: x.id, version: 1, code: "duplicate" });
    const actions = [
      () =>
        assignException(t.db, asActor(team.fin), { id: x.id, version: 1, assigneeId: team.fin.id }),
      () => commentOnException(t.db, asActor(team.fin), { id: x.id, version: 1, body: "On it" }),
      () => startException(t.db, asActor(team.fin), { id: x.id, version: 1 }),
      () =>
        dismissException(t.db, asActor(team.fin), {
          id: x.id,
          version: 1,
          code: "duplicate",
          note: "dup",
        }),
      () => reopenException(t.db, asActor(team.fin), { id: x.id, version: 1 }),
    ];
    for (const action of actions) {
      const error = await failure(action);
      expect(error.code).toBe("conflict");
      expect(error.details).toEqual({ currentVersion: 2 });
    }
    expect(await reload(x.id)).toMatchObject({ status: "resolved", ownerId: null, version: 2 });
    expect((await auditOf(t.db, x.id)).map((a) => a.actorId)).toEqual([team.ops.id]);
  });

  it("refuses a version the telemetry has moved on since", async () => {
    const x = await seedException(t.db);
    // What exception-sync does when a new event changes the problem's details.
    await t.db.execute(
      sql`update exceptions set details = '{"attempt": 2}', version = version + 1 where id = ${x.id}::uuid`,
    );
    expect(
      (await failure(startException(t.db, asActor(team.ops), { id: x.id, version: 1 }))).code,
    ).toBe("conflict");
    await startException(t.db, asActor(team.ops), { id: x.id, version: 2 });
  });

  it("lets exactly one of two simultaneous actions on the same version through", async () => {
    const x = await seedException(t.db);
    const outcomes = await Promise.allSettled([
      resolveException(t.db, asActor(team.ops), { id: x.id, version: 1, code: "duplicate" }),
      dismissException(t.db, asActor(team.fin), {
        id: x.id,
        version: 1,
        code: "duplicate",
        note: "same as another",
      }),
    ]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    expect(await auditOf(t.db, x.id)).toHaveLength(1);
  });
});

describe("roles", () => {
  const everyAction = (user: TestUser, id: string) => [
    () => assignException(t.db, asActor(user), { id, version: 1, assigneeId: team.ops.id }),
    () => commentOnException(t.db, asActor(user), { id, version: 1, body: "hello" }),
    () => startException(t.db, asActor(user), { id, version: 1 }),
    () => resolveException(t.db, asActor(user), { id, version: 1, code: "duplicate" }),
    () => dismissException(t.db, asActor(user), { id, version: 1, code: "duplicate", note: "dup" }),
    () => reopenException(t.db, asActor(user), { id, version: 1 }),
    () => bulkAssign(t.db, asActor(user), [{ id, version: 1 }], team.ops.id),
    () => bulkResolve(t.db, asActor(user), [{ id, version: 1 }], { code: "duplicate" }),
    () =>
      bulkDismiss(t.db, asActor(user), [{ id, version: 1 }], { code: "duplicate", note: "dup" }),
  ];

  it.each(["admin", "executive"] as const)(
    "%s may not act on an exception at all",
    async (role) => {
      const user = role === "admin" ? team.admin : team.exec;
      const x = await seedException(t.db);
      for (const action of everyAction(user, x.id))
        expect((await failure(action)).code).toBe("forbidden");
      expect(await reload(x.id)).toMatchObject({ version: 1, status: "open" });
      expect(await auditOf(t.db, x.id)).toEqual([]);
    },
  );

  it.each(["operations", "finance"] as const)("%s may work exceptions", async (role: Role) => {
    const user = role === "operations" ? team.ops : team.fin;
    const x = await seedException(t.db);
    await assignException(t.db, asActor(user), { id: x.id, version: 1, assigneeId: user.id });
    await startException(t.db, asActor(user), { id: x.id, version: 2 });
    await resolveException(t.db, asActor(user), { id: x.id, version: 3, code: "fixed_in_source" });
    expect(
      (await auditOf(t.db, x.id)).every((a) => a.actorId === user.id && a.actorType === "user"),
    ).toBe(true);
  });
});

describe("bulk actions", () => {
  it("acts on each item on its own: a stale or closed item fails alone, with its reason", async () => {
    const a = await seedException(t.db);
    const b = await seedException(t.db);
    const c = await seedException(t.db);
    const closed = await seedException(t.db, { status: "resolved" });
    await startException(t.db, asActor(team.fin), { id: b.id, version: 1 }); // b moves to version 2

    const results = await bulkResolve(
      t.db,
      asActor(team.ops),
      [
        { id: a.id, version: 1 },
        { id: b.id, version: 1 },
        { id: c.id, version: 1 },
        { id: closed.id, version: 1 },
        { id: "not-an-id", version: 1 },
      ],
      { code: "duplicate", note: "Raised twice by the connector" },
    );
    expect(results).toEqual([
      { id: a.id, ok: true, version: 2, changed: true },
      {
        id: b.id,
        ok: false,
        code: "conflict",
        error: expect.stringMatching(/changed since you loaded it/),
      },
      { id: c.id, ok: true, version: 2, changed: true },
      { id: closed.id, ok: false, code: "conflict", error: expect.stringMatching(/resolved/) },
      { id: "not-an-id", ok: false, code: "invalid_input", error: expect.any(String) },
    ]);
    expect((await reload(a.id)).status).toBe("resolved");
    expect((await reload(b.id)).status).toBe("in_progress");
    expect((await auditOf(t.db, c.id))[0]).toMatchObject({
      action: "exception.resolved",
      after: { resolutionCode: "duplicate", resolutionNote: "Raised twice by the connector" },
    });
  });

  it("assigns and dismisses many, and checks the shared reason once before touching any", async () => {
    const items = await Promise.all([
      seedException(t.db),
      seedException(t.db),
      seedException(t.db),
    ]);
    const assigned = await bulkAssign(
      t.db,
      asActor(team.fin),
      items.map((x) => ({ id: x.id, version: 1 })),
      team.ops.id,
    );
    expect(assigned.every((r) => r.ok)).toBe(true);
    expect(
      (
        await failure(
          bulkDismiss(
            t.db,
            asActor(team.ops),
            items.map((x) => ({ id: x.id, version: 2 })),
            { code: "nope", note: "x" },
          ),
        )
      ).code,
    ).toBe("invalid_input");
    const dismissed = await bulkDismiss(
      t.db,
      asActor(team.ops),
      items.map((x) => ({ id: x.id, version: 2 })),
      {
        code: "not_actionable",
        note: "Sandbox entity",
      },
    );
    expect(dismissed.map((r) => r.ok)).toEqual([true, true, true]);
    for (const x of items)
      expect(await reload(x.id)).toMatchObject({
        status: "dismissed",
        ownerId: team.ops.id,
        version: 3,
      });
  });

  it("refuses an empty selection and one over the limit", async () => {
    expect(
      (await failure(bulkResolve(t.db, asActor(team.ops), [], { code: "duplicate" }))).code,
    ).toBe("invalid_input");
    const many = Array.from({ length: 501 }, () => ({
      id: "00000000-0000-4000-8000-000000000001",
      version: 1,
    }));
    expect(
      (await failure(bulkResolve(t.db, asActor(team.ops), many, { code: "duplicate" }))).code,
    ).toBe("invalid_input");
  });
});

describe("manual interventions", () => {
  it("counts every workflow action as a user's exception.* audit entry", async () => {
    const x = await seedException(t.db);
    await assignException(t.db, asActor(team.ops), {
      id: x.id,
      version: 1,
      assigneeId: team.ops.id,
    });
    await commentOnException(t.db, asActor(team.ops), { id: x.id, version: 2, body: "Looking" });
    await startException(t.db, asActor(team.ops), { id: x.id, version: 2 });
    await resolveException(t.db, asActor(team.ops), {
      id: x.id,
      version: 3,
      code: "fixed_in_source",
    });
    await reopenException(t.db, asActor(team.ops), { id: x.id, version: 4 });
    await dismissException(t.db, asActor(team.ops), {
      id: x.id,
      version: 5,
      code: "duplicate",
      note: "dup",
    });
    const [row] = await queryRows<{ n: string | number }>(
      t.db,
      sql`select count(*) as n from audit_log where actor_type = 'user' and action like 'exception.%' and target_id = ${x.id}`,
    );
    expect(Number(row!.n)).toBe(6);
    const users = await t.db
      .select({ actorType: auditLog.actorType })
      .from(auditLog)
      .where(and(eq(auditLog.targetId, x.id), like(auditLog.action, "exception.%")));
    expect(users.every((u) => u.actorType === "user")).toBe(true);
  });
});
