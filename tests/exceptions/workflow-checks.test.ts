import { and, eq, like, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, type Role } from "@/db/schema";
import { queryRows } from "@/db/rows";
import * as workflow from "@/lib/exceptions/workflow";
import { asActor, auditOf, failure, seedException, workflowSuite, type TestUser } from "./support";

/*
 * What holds every workflow action back: the version check that refuses an action based on
 * a stale read, the role check that lets operations and finance act while admin and
 * executive cannot, whatever the caller; bulk actions, item by item; and every action
 * counted as a manual intervention.
 */

const { t, team, reload } = workflowSuite();

describe("optimistic concurrency", () => {
  it("refuses an action based on a version someone else has since changed, and writes nothing", async () => {
    const x = await seedException(t.db);
    // Both read version 1; operations resolves first.
    await workflow.resolveException(t.db, asActor(team.ops), {
      id: x.id,
      version: 1,
      code: "duplicate",
    });
    const actions = [
      () =>
        workflow.assignException(t.db, asActor(team.fin), {
          id: x.id,
          version: 1,
          assigneeId: team.fin.id,
        }),
      () =>
        workflow.commentOnException(t.db, asActor(team.fin), {
          id: x.id,
          version: 1,
          body: "On it",
        }),
      () => workflow.startException(t.db, asActor(team.fin), { id: x.id, version: 1 }),
      () =>
        workflow.dismissException(t.db, asActor(team.fin), {
          id: x.id,
          version: 1,
          code: "duplicate",
          note: "dup",
        }),
      () => workflow.reopenException(t.db, asActor(team.fin), { id: x.id, version: 1 }),
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
      (await failure(workflow.startException(t.db, asActor(team.ops), { id: x.id, version: 1 })))
        .code,
    ).toBe("conflict");
    await workflow.startException(t.db, asActor(team.ops), { id: x.id, version: 2 });
  });

  it("lets exactly one of two simultaneous actions on the same version through", async () => {
    const x = await seedException(t.db);
    const outcomes = await Promise.allSettled([
      workflow.resolveException(t.db, asActor(team.ops), {
        id: x.id,
        version: 1,
        code: "duplicate",
      }),
      workflow.dismissException(t.db, asActor(team.fin), {
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
    () =>
      workflow.assignException(t.db, asActor(user), { id, version: 1, assigneeId: team.ops.id }),
    () => workflow.commentOnException(t.db, asActor(user), { id, version: 1, body: "hello" }),
    () => workflow.startException(t.db, asActor(user), { id, version: 1 }),
    () => workflow.resolveException(t.db, asActor(user), { id, version: 1, code: "duplicate" }),
    () =>
      workflow.dismissException(t.db, asActor(user), {
        id,
        version: 1,
        code: "duplicate",
        note: "dup",
      }),
    () => workflow.reopenException(t.db, asActor(user), { id, version: 1 }),
    () => workflow.bulkAssign(t.db, asActor(user), [{ id, version: 1 }], team.ops.id),
    () => workflow.bulkResolve(t.db, asActor(user), [{ id, version: 1 }], { code: "duplicate" }),
    () =>
      workflow.bulkDismiss(t.db, asActor(user), [{ id, version: 1 }], {
        code: "duplicate",
        note: "dup",
      }),
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
    await workflow.assignException(t.db, asActor(user), {
      id: x.id,
      version: 1,
      assigneeId: user.id,
    });
    await workflow.startException(t.db, asActor(user), { id: x.id, version: 2 });
    await workflow.resolveException(t.db, asActor(user), {
      id: x.id,
      version: 3,
      code: "fixed_in_source",
    });
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
    await workflow.startException(t.db, asActor(team.fin), { id: b.id, version: 1 }); // b moves to version 2

    const results = await workflow.bulkResolve(
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
    const assigned = await workflow.bulkAssign(
      t.db,
      asActor(team.fin),
      items.map((x) => ({ id: x.id, version: 1 })),
      team.ops.id,
    );
    expect(assigned.every((r) => r.ok)).toBe(true);
    expect(
      (
        await failure(
          workflow.bulkDismiss(
            t.db,
            asActor(team.ops),
            items.map((x) => ({ id: x.id, version: 2 })),
            { code: "nope", note: "x" },
          ),
        )
      ).code,
    ).toBe("invalid_input");
    const dismissed = await workflow.bulkDismiss(
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
      (await failure(workflow.bulkResolve(t.db, asActor(team.ops), [], { code: "duplicate" })))
        .code,
    ).toBe("invalid_input");
    const many = Array.from({ length: 501 }, () => ({
      id: "00000000-0000-4000-8000-000000000001",
      version: 1,
    }));
    expect(
      (await failure(workflow.bulkResolve(t.db, asActor(team.ops), many, { code: "duplicate" })))
        .code,
    ).toBe("invalid_input");
  });
});

describe("manual interventions", () => {
  it("counts every workflow action as a user's exception.* audit entry", async () => {
    const x = await seedException(t.db);
    await workflow.assignException(t.db, asActor(team.ops), {
      id: x.id,
      version: 1,
      assigneeId: team.ops.id,
    });
    await workflow.commentOnException(t.db, asActor(team.ops), {
      id: x.id,
      version: 2,
      body: "Looking",
    });
    await workflow.startException(t.db, asActor(team.ops), { id: x.id, version: 2 });
    await workflow.resolveException(t.db, asActor(team.ops), {
      id: x.id,
      version: 3,
      code: "fixed_in_source",
    });
    await workflow.reopenException(t.db, asActor(team.ops), { id: x.id, version: 4 });
    await workflow.dismissException(t.db, asActor(team.ops), {
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
