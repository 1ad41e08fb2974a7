import { eq, sql } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { queryRows } from "@/db/rows";
import { exceptions, outboxCommands } from "@/db/schema";
import {
  correctionsForException,
  decideCorrection,
  proposeCorrection,
} from "@/lib/corrections/corrections";
import { Conflict, Forbidden } from "@/lib/errors";
import { ingestItems } from "@/lib/ingest/ingest";
import { correctionsSuite, creditNote, decision } from "./support";

/** Breaks in EUR for ACME-EU, raised from telemetry as in production, and six people. */
const { t, users, breaks } = correctionsSuite("corrections", "ACME-EU", {
  financeA: "finance",
  financeB: "finance",
  financeC: "finance",
  ops: "operations",
  exec: "executive",
  admin: "admin",
});
const breakException = async () => (await breaks.raise()).id;

describe("who may propose and decide", () => {
  test("operations and finance propose; executive and admin cannot", async () => {
    const exceptionId = await breakException();
    await expect(
      proposeCorrection(t.db, users.ops, creditNote(exceptionId, 10_000)),
    ).resolves.toMatchObject({
      status: "pending_approval",
      requiredApprovals: 1,
    });
    await expect(
      proposeCorrection(t.db, users.exec, creditNote(exceptionId, 10_000)),
    ).rejects.toBeInstanceOf(Forbidden);
    await expect(
      proposeCorrection(t.db, users.admin, creditNote(exceptionId, 10_000)),
    ).rejects.toBeInstanceOf(Forbidden);
    const [exception] = await t.db.select().from(exceptions).where(eq(exceptions.id, exceptionId));
    expect(exception!.status).toBe("awaiting_approval");
  });

  test("the proposer can never approve their own proposal, nor can operations approve", async () => {
    const correction = await proposeCorrection(
      t.db,
      users.financeA,
      creditNote(await breakException(), 10_000),
    );
    await expect(
      decideCorrection(t.db, users.financeA, decision(correction.id, 1)),
    ).rejects.toBeInstanceOf(Forbidden);
    await expect(
      decideCorrection(t.db, users.ops, decision(correction.id, 1)),
    ).rejects.toBeInstanceOf(Forbidden);
    await expect(
      decideCorrection(t.db, users.admin, decision(correction.id, 1)),
    ).rejects.toBeInstanceOf(Forbidden);
    const approved = await decideCorrection(t.db, users.financeB, decision(correction.id, 1));
    expect(approved.status).toBe("approved");
  });
});

describe("approval", () => {
  test("below the threshold one approval queues exactly one command to the target system", async () => {
    const exceptionId = await breakException();
    const correction = await proposeCorrection(t.db, users.ops, creditNote(exceptionId, 999_999));
    expect(correction.requiredApprovals).toBe(1);
    const approved = await decideCorrection(
      t.db,
      users.financeA,
      decision(correction.id, correction.version),
    );
    expect(approved).toMatchObject({ status: "approved", version: 2 });
    const commands = await t.db
      .select()
      .from(outboxCommands)
      .where(eq(outboxCommands.exceptionId, exceptionId));
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatchObject({
      kind: "correction.execute",
      status: "pending",
      payload: expect.objectContaining({
        correctionId: correction.id,
        amountMinor: 999_999,
        currency: "EUR",
      }),
    });
    const [view] = await correctionsForException(t.db, exceptionId);
    expect(view).toMatchObject({
      commandStatus: "pending",
      decisions: [expect.objectContaining({ decision: "approve" })],
    });
  });

  test("above 10,000.00 two distinct approvers are needed, and one person cannot count twice", async () => {
    const exceptionId = await breakException();
    const correction = await proposeCorrection(t.db, users.ops, creditNote(exceptionId, 1_000_001));
    expect(correction.requiredApprovals).toBe(2);
    const first = await decideCorrection(t.db, users.financeA, decision(correction.id, 1));
    expect(first).toMatchObject({ status: "pending_approval", version: 2 });
    expect(
      await t.db.select().from(outboxCommands).where(eq(outboxCommands.exceptionId, exceptionId)),
    ).toHaveLength(0);
    await expect(
      decideCorrection(t.db, users.financeA, decision(correction.id, 2)),
    ).rejects.toBeInstanceOf(Conflict);
    const second = await decideCorrection(t.db, users.financeB, decision(correction.id, 2));
    expect(second).toMatchObject({ status: "approved", version: 3 });
    expect(
      await t.db.select().from(outboxCommands).where(eq(outboxCommands.exceptionId, exceptionId)),
    ).toHaveLength(1);
  });

  test("exactly 10,000.00 needs one approver: the rule is 'above'", async () => {
    const correction = await proposeCorrection(
      t.db,
      users.ops,
      creditNote(await breakException(), 1_000_000),
    );
    expect(correction.requiredApprovals).toBe(1);
  });

  test("a decision based on a stale version is refused", async () => {
    const correction = await proposeCorrection(
      t.db,
      users.ops,
      creditNote(await breakException(), 2_000_000),
    );
    // B and C both read version 1; B approves first, so C's view is stale.
    await decideCorrection(t.db, users.financeB, decision(correction.id, 1));
    await expect(
      decideCorrection(t.db, users.financeC, decision(correction.id, 1)),
    ).rejects.toThrow(/changed since you read it/);
    await expect(
      decideCorrection(t.db, users.financeC, decision(correction.id, 2)),
    ).resolves.toMatchObject({ status: "approved" });
  });

  test("two approvers racing on a one-approver correction produce one approval and one command", async () => {
    const exceptionId = await breakException();
    const correction = await proposeCorrection(t.db, users.ops, creditNote(exceptionId, 5_000));
    const results = await Promise.allSettled([
      decideCorrection(t.db, users.financeA, decision(correction.id, 1)),
      decideCorrection(t.db, users.financeB, decision(correction.id, 1)),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.filter((r) => r.status === "rejected")).toHaveLength(1);
    expect(
      await t.db.select().from(outboxCommands).where(eq(outboxCommands.exceptionId, exceptionId)),
    ).toHaveLength(1);
  });

  test("a rejection sends the exception back to the queue and is audited with its reason", async () => {
    const exceptionId = await breakException();
    const correction = await proposeCorrection(t.db, users.ops, creditNote(exceptionId, 5_000));
    await expect(
      decideCorrection(t.db, users.financeA, decision(correction.id, 1, "reject")),
    ).resolves.toMatchObject({
      status: "rejected",
    });
    const [exception] = await t.db.select().from(exceptions).where(eq(exceptions.id, exceptionId));
    expect(exception!.status).toBe("open");
    await expect(
      decideCorrection(t.db, users.financeB, decision(correction.id, 2)),
    ).rejects.toThrow(/already rejected/);
    const audit = await queryRows<{ action: string; actor_label: string }>(
      t.db,
      sql`select action, actor_label from audit_log where target_id = ${correction.id} order by id`,
    );
    expect(audit).toEqual([
      { action: "correction.proposed", actor_label: users.ops.email },
      { action: "correction.rejected", actor_label: users.financeA.email },
    ]);
  });
});

test("only breaks, disputes and retroactive amendments take corrections", async () => {
  await ingestItems(
    t.db,
    [
      {
        specversion: "1.0",
        id: "post-fail",
        source: "urn:test:erp",
        type: "erp.posting.attempted",
        time: "2026-11-02T00:00:00Z",
        data: {
          postingId: "PST-X",
          invoiceId: "INV-X",
          entity: "ACME-EU",
          attempt: 1,
          status: "failed",
          attemptedAt: "2026-11-02T00:00:00Z",
          errorCode: "ERP_TIMEOUT",
        },
      },
    ],
    { apiKeyId: null, channel: "api" },
  );
  const [posting] = await t.db
    .select({ id: exceptions.id })
    .from(exceptions)
    .where(eq(exceptions.postingId, "PST-X"));
  await expect(
    proposeCorrection(t.db, users.financeA, creditNote(posting!.id, 100)),
  ).rejects.toThrow(/not corrected with a correction/);
});
