import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { auditLog, exceptions, outboxCommands } from "@/db/schema";
import { requestPostingRetries, requestPostingRetry, retryProgress } from "@/lib/exceptions/retry";
import { Conflict, InvalidInput } from "@/lib/errors";
import { dispatchDue } from "@/lib/outbox/dispatcher";
import { deactivateEndpoint } from "@/lib/outbox/endpoints";
import { enqueue } from "@/lib/outbox/enqueue";
import { testDbForSuite } from "../support/db";
import {
  FAST,
  SYSTEM_TEST_ACTOR,
  exceptionById,
  failedPosting,
  makeEndpoint,
  makeUser,
  startRegisteredReceiver,
  type TestReceiver,
} from "./support";

/*
 * Retrying a failed ERP posting: one command per failed attempt however many people click,
 * the exception in progress, and "requested → delivered → confirmed" as the command is
 * delivered and the connector's next attempt arrives as telemetry.
 */

const t = testDbForSuite();
let receiver: TestReceiver;
let endpointId: string;

beforeAll(async () => {
  ({ receiver, endpointId } = await startRegisteredReceiver(t.db));
});

afterAll(async () => {
  await receiver?.close();
});

beforeEach(() => {
  receiver.deliveries.length = 0;
  receiver.respond = "ok";
});

async function commandsOf(exceptionId: string) {
  return t.db.select().from(outboxCommands).where(eq(outboxCommands.exceptionId, exceptionId));
}

async function auditOf(exceptionId: string, action: string) {
  return t.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.targetId, exceptionId), eq(auditLog.action, action)));
}

describe("requestPostingRetry", () => {
  it("writes one erp.posting.retry command, puts the exception in progress and audits it", async () => {
    const { user, by } = await makeUser(t.db);
    const p = await failedPosting(t.db, { attempt: 2 });
    const result = await requestPostingRetry(t.db, p.exception.id, by);
    expect(result).toMatchObject({ outcome: "requested" });

    const [command] = await commandsOf(p.exception.id);
    expect(command).toMatchObject({
      kind: "erp.posting.retry",
      endpointId,
      status: "pending",
      createdBy: user.id,
      idempotencyKey: `erp.posting.retry:${p.postingId}:2`,
      payload: {
        postingId: p.postingId,
        invoiceId: p.invoiceId,
        entity: "ACME-US",
        followsAttempt: 2,
        errorCode: "GL_PERIOD_CLOSED",
      },
    });
    expect((await exceptionById(t.db, p.exception.id)).status).toBe("in_progress");
    const [audit] = await auditOf(p.exception.id, "exception.retry_requested");
    expect(audit).toMatchObject({
      actorType: "user",
      actorId: user.id,
      before: { status: "open" },
      after: { status: "in_progress", commandId: command!.id, followsAttempt: 2 },
    });
  });

  it("gives exactly one command when several people retry the same exception at once", async () => {
    const p = await failedPosting(t.db);
    const people = await Promise.all([1, 2, 3, 4, 5].map(() => makeUser(t.db)));
    const results = await Promise.all(
      people.map(({ by }) => requestPostingRetry(t.db, p.exception.id, by)),
    );

    const commands = await commandsOf(p.exception.id);
    expect(commands).toHaveLength(1);
    expect(results.filter((r) => r.outcome === "requested")).toHaveLength(1);
    expect(results.filter((r) => r.outcome === "already_requested")).toHaveLength(4);
    expect(new Set(results.map((r) => r.commandId))).toEqual(new Set([commands[0]!.id]));
    expect(await auditOf(p.exception.id, "exception.retry_requested")).toHaveLength(1);
  });

  it("relies on the idempotency key, not only the row lock: concurrent enqueues of one key write one row", async () => {
    const key = `erp.posting.retry:PST-RACE-${Date.now()}:1`;
    const results = await Promise.all(
      [1, 2, 3, 4].map((n) =>
        t.db.transaction(async (tx) => {
          const enqueued = await enqueue(tx, {
            kind: "erp.posting.retry",
            payload: { n },
            idempotencyKey: key,
          });
          // Hold the transaction open a moment so the others really overlap it.
          await tx.execute(sql`select pg_sleep(0.05)`);
          return enqueued;
        }),
      ),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.command.id)).size).toBe(1);
    expect(
      await t.db.select().from(outboxCommands).where(eq(outboxCommands.idempotencyKey, key)),
    ).toHaveLength(1);
  });

  it("shows requested → delivered → confirmed, and closes when the connector reports success", async () => {
    const { by } = await makeUser(t.db);
    const p = await failedPosting(t.db);
    await requestPostingRetry(t.db, p.exception.id, by);

    let [progress] = await retryProgress(t.db, p.exception.id);
    expect(progress).toMatchObject({
      followsAttempt: 1,
      requested: { state: "done" },
      delivered: { state: "waiting" },
      confirmed: { state: "waiting" },
    });

    await dispatchDue(t.db, FAST);
    expect(receiver.deliveries.map((d) => d.body.data.postingId)).toContain(p.postingId);
    [progress] = await retryProgress(t.db, p.exception.id);
    expect(progress!.delivered.state).toBe("done");
    expect(progress!.confirmed.state).toBe("waiting");

    // The ERP connector retries and reports attempt 2 as telemetry: that is the confirmation.
    await p.report(2, "succeeded");
    [progress] = await retryProgress(t.db, p.exception.id);
    expect(progress!.confirmed).toMatchObject({ state: "done", detail: "attempt 2 succeeded" });
    expect(await exceptionById(t.db, p.exception.id)).toMatchObject({
      status: "resolved",
      closedBy: "system",
      resolutionCode: "confirmed_by_telemetry",
    });
  });

  it("after the retried attempt fails again, a new retry is a new command", async () => {
    const { by } = await makeUser(t.db);
    const p = await failedPosting(t.db);
    const first = await requestPostingRetry(t.db, p.exception.id, by);
    await dispatchDue(t.db, FAST);
    await p.report(2, "failed");

    const [progress] = await retryProgress(t.db, p.exception.id);
    expect(progress!.confirmed).toMatchObject({
      state: "failed",
      detail: "attempt 2 failed: GL_PERIOD_CLOSED",
    });
    expect((await exceptionById(t.db, p.exception.id)).status).toBe("in_progress");

    const second = await requestPostingRetry(t.db, p.exception.id, by);
    expect(second.outcome).toBe("requested");
    expect(second.commandId).not.toBe(first.commandId);
    const commands = await commandsOf(p.exception.id);
    expect(
      commands.map((c) => (c.payload as { followsAttempt: number }).followsAttempt).sort(),
    ).toEqual([1, 2]);
  });

  it("puts a dead retry back in line when asked again", async () => {
    const { by } = await makeUser(t.db);
    const p = await failedPosting(t.db);
    const first = await requestPostingRetry(t.db, p.exception.id, by);
    receiver.respond = "fail";
    for (let i = 0; i < 3; i++) {
      await dispatchDue(t.db, { ...FAST, backoffMs: [0, 0] });
    }
    const [dead] = await commandsOf(p.exception.id);
    expect(dead!.status).toBe("dead");
    const [progress] = await retryProgress(t.db, p.exception.id);
    expect(progress!.delivered.state).toBe("failed");

    const again = await requestPostingRetry(t.db, p.exception.id, by);
    expect(again).toMatchObject({ outcome: "requested", commandId: first.commandId });
    expect((await commandsOf(p.exception.id))[0]).toMatchObject({ status: "pending", attempts: 0 });
    const audits = await auditOf(p.exception.id, "exception.retry_requested");
    expect(audits.map((a) => (a.after as { resent?: boolean }).resent ?? false)).toEqual([
      false,
      true,
    ]);
  });

  it("refuses what cannot be retried", async () => {
    const { by } = await makeUser(t.db);
    const p = await failedPosting(t.db);
    await p.report(2, "succeeded");
    await expect(requestPostingRetry(t.db, p.exception.id, by)).rejects.toBeInstanceOf(Conflict);
    await expect(
      requestPostingRetry(t.db, "00000000-0000-4000-8000-000000000000", by),
    ).rejects.toThrow("No such exception");
  });

  it("says so when no endpoint receives the retries", async () => {
    const { by } = await makeUser(t.db);
    const p = await failedPosting(t.db);
    await deactivateEndpoint(t.db, endpointId, { actor: SYSTEM_TEST_ACTOR });
    try {
      await expect(requestPostingRetry(t.db, p.exception.id, by)).rejects.toThrow(
        /No webhook endpoint receives/,
      );
      expect(await commandsOf(p.exception.id)).toHaveLength(0);
      expect((await exceptionById(t.db, p.exception.id)).status).toBe("open");
    } finally {
      const created = await makeEndpoint(t.db, receiver.url);
      receiver.secret = created.secret;
      endpointId = created.endpoint.id;
    }
  });
});

describe("requestPostingRetries (bulk)", () => {
  it("retries each exception on its own and reports each result", async () => {
    const { by } = await makeUser(t.db);
    const postings = await Promise.all([1, 2, 3].map(() => failedPosting(t.db)));
    const closed = await failedPosting(t.db);
    await closed.report(2, "succeeded");
    await requestPostingRetry(t.db, postings[0]!.exception.id, by);

    const ids = [
      ...postings.map((p) => p.exception.id),
      closed.exception.id,
      postings[1]!.exception.id,
    ];
    const results = await requestPostingRetries(t.db, ids, by);
    expect(results.map((r) => r.outcome)).toEqual([
      "already_requested",
      "requested",
      "requested",
      "failed",
    ]);
    expect(results[3]).toMatchObject({
      exceptionId: closed.exception.id,
      error: expect.stringMatching(/resolved/),
    });

    await dispatchDue(t.db, FAST);
    for (const p of postings)
      expect(await commandsOf(p.exception.id)).toMatchObject([{ status: "delivered" }]);
  });

  it("refuses an exception of another type", async () => {
    const { by } = await makeUser(t.db);
    const [other] = await t.db
      .insert(exceptions)
      .values({ type: "invoice_disputed", problemKey: "INV-X", title: "Invoice INV-X disputed" })
      .returning();
    await expect(requestPostingRetry(t.db, other!.id, by)).rejects.toBeInstanceOf(InvalidInput);
  });
});
