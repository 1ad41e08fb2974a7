import { eq, sql } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { queryRows } from "@/db/rows";
import { exceptions, outboxCommands } from "@/db/schema";
import {
  correctionsForException,
  decideCorrection,
  proposeCorrection,
} from "@/lib/corrections/corrections";
import { correctionStage, inFlight } from "@/lib/corrections/lifecycle";
import { Conflict } from "@/lib/errors";
import { resolveException } from "@/lib/exceptions/workflow";
import { cloudEvent } from "../support/cloud-event";
import { correctionsSuite, creditNote, decision } from "./support";

/*
 * The exception follows its correction: proposed → awaiting approval; approved by the last
 * approver needed → awaiting the target system's confirmation; confirmed (the target
 * system's correction.executed, or telemetry showing the problem gone) → resolved; failed or
 * rejected → open again, where another correction may be proposed.
 */

const { t, users, breaks } = correctionsSuite("life", "LIFE-EU", {
  a: "finance",
  b: "finance",
  c: "finance",
  ops: "operations",
});
const { ingest, result: reconResult } = breaks;
const breakException = breaks.raise;

const executed = (correctionId: string, status: "executed" | "failed", id = correctionId) =>
  cloudEvent("correction.executed", `exec-${id}-${status}`, "urn:test:billing", {
    correctionId,
    status,
    executedAt: new Date().toISOString(),
    ...(status === "executed"
      ? { documentRef: "CN-0042" }
      : { errorMessage: "Period 2026-10 is closed for posting" }),
  });

async function exceptionRow(id: string) {
  const [row] = await t.db.select().from(exceptions).where(eq(exceptions.id, id));
  return row!;
}

async function auditOf(exceptionId: string) {
  return queryRows<{ action: string; actor_type: string; after: Record<string, unknown> }>(
    t.db,
    sql`select action, actor_type, after from audit_log
        where target_type = 'exception' and target_id = ${exceptionId} order by id`,
  );
}

/** Proposed by A and approved by B: the flow of the issue. */
async function approvedCorrection() {
  const x = await breakException();
  const proposed = await proposeCorrection(t.db, users.a, creditNote(x.id));
  const approved = await decideCorrection(t.db, users.b, decision(proposed.id, proposed.version));
  return { ...x, correction: approved };
}

describe("after approval the exception waits for the target system", () => {
  test("A proposes, B approves: the exception leaves awaiting approval for awaiting confirmation", async () => {
    const x = await breakException();
    const proposed = await proposeCorrection(t.db, users.a, creditNote(x.id));
    expect((await exceptionRow(x.id)).status).toBe("awaiting_approval");
    await decideCorrection(t.db, users.b, decision(proposed.id, proposed.version));
    const after = await exceptionRow(x.id);
    expect(after.status).toBe("awaiting_confirmation");
    expect(after.closedAt).toBeNull();
    const [view] = await correctionsForException(t.db, x.id);
    expect(correctionStage(view!)).toBe("awaiting_confirmation");
    expect(inFlight(view!)).toBe(true);
  });

  test("no second proposal while one awaits approval or confirmation", async () => {
    const x = await breakException();
    const proposed = await proposeCorrection(t.db, users.a, creditNote(x.id));
    await expect(proposeCorrection(t.db, users.c, creditNote(x.id))).rejects.toThrow(
      /already awaits approval/,
    );
    await decideCorrection(t.db, users.b, decision(proposed.id, proposed.version));
    await expect(proposeCorrection(t.db, users.c, creditNote(x.id))).rejects.toBeInstanceOf(
      Conflict,
    );
  });

  test("above the threshold the first of two approvals leaves it awaiting approval", async () => {
    const x = await breakException();
    const proposed = await proposeCorrection(t.db, users.ops, creditNote(x.id, 1_000_001));
    const first = await decideCorrection(t.db, users.a, decision(proposed.id, 1));
    expect(first.status).toBe("pending_approval");
    expect((await exceptionRow(x.id)).status).toBe("awaiting_approval");
    await decideCorrection(t.db, users.b, decision(proposed.id, 2));
    expect((await exceptionRow(x.id)).status).toBe("awaiting_confirmation");
  });

  test("the command names what it corrects and how to confirm it", async () => {
    const x = await approvedCorrection();
    const [command] = await t.db
      .select()
      .from(outboxCommands)
      .where(eq(outboxCommands.exceptionId, x.id));
    expect(command!.payload).toMatchObject({
      correctionId: x.correction.id,
      exception: {
        id: x.id,
        type: "reconciliation_break",
        runId: `life-run-${x.n}`,
        problemKey: `life-run-${x.n}/cus_${x.n}`,
      },
      confirmWith: { type: "correction.executed", correctionId: x.correction.id },
    });
  });
});

describe("the confirmation closes it", () => {
  test("the target system's correction.executed resolves the exception, as the system", async () => {
    const x = await approvedCorrection();
    expect(await ingest(executed(x.correction.id, "executed"))).toMatchObject({
      accepted: 1,
      rejected: [],
    });
    const after = await exceptionRow(x.id);
    expect(after).toMatchObject({
      status: "resolved",
      closedBy: "system",
      resolutionCode: "confirmed_by_telemetry",
      resolutionNote: "Credit Note carried out by billing (CN-0042)",
    });
    const [view] = await correctionsForException(t.db, x.id);
    expect(view!.execution).toMatchObject({ status: "executed", documentRef: "CN-0042" });
    expect(correctionStage(view!)).toBe("confirmed");
    expect((await auditOf(x.id)).at(-1)).toMatchObject({
      action: "exception.closed",
      actor_type: "system",
      after: { status: "resolved", reason: "Credit Note carried out by billing (CN-0042)" },
    });
  });

  test("telemetry showing the break gone resolves it too", async () => {
    const x = await approvedCorrection();
    await ingest(reconResult(x.n, 100_000));
    expect(await exceptionRow(x.id)).toMatchObject({ status: "resolved", closedBy: "system" });
  });

  test("a failure hands it back to people, who may propose again", async () => {
    const x = await approvedCorrection();
    await ingest(executed(x.correction.id, "failed"));
    expect((await exceptionRow(x.id)).status).toBe("open");
    expect((await auditOf(x.id)).at(-1)).toMatchObject({
      action: "exception.correction_failed",
      actor_type: "system",
      after: {
        status: "open",
        reason: "The credit note failed in billing: Period 2026-10 is closed for posting",
      },
    });
    const [view] = await correctionsForException(t.db, x.id);
    expect(correctionStage(view!)).toBe("failed");
    expect(inFlight(view!)).toBe(false);
    await expect(proposeCorrection(t.db, users.c, creditNote(x.id))).resolves.toMatchObject({
      status: "pending_approval",
    });
  });

  test("a late report about a superseded correction changes nothing", async () => {
    const x = await approvedCorrection();
    await ingest(executed(x.correction.id, "failed"));
    const second = await proposeCorrection(t.db, users.c, creditNote(x.id));
    await decideCorrection(t.db, users.a, decision(second.id, second.version));
    // The first correction's target system changes its mind: the second one stands.
    await ingest(executed(x.correction.id, "executed", `${x.correction.id}-late`));
    expect((await exceptionRow(x.id)).status).toBe("awaiting_confirmation");
    await ingest(executed(second.id, "executed"));
    expect((await exceptionRow(x.id)).status).toBe("resolved");
  });

  test("a person who saw it booked may resolve it before the report arrives", async () => {
    const x = await approvedCorrection();
    const row = await exceptionRow(x.id);
    await expect(
      resolveException(
        t.db,
        { actor: users.ops },
        { id: x.id, version: row.version, code: "customer_credited", note: "" },
      ),
    ).resolves.toMatchObject({ status: "resolved" });
    // The report that follows finds nothing open to close.
    await ingest(executed(x.correction.id, "executed"));
    expect(await exceptionRow(x.id)).toMatchObject({
      status: "resolved",
      closedBy: users.ops.id,
    });
  });
});

test("a rejection sends it back to open, where a new proposal is allowed", async () => {
  const x = await breakException();
  const proposed = await proposeCorrection(t.db, users.a, creditNote(x.id));
  await decideCorrection(t.db, users.b, {
    ...decision(proposed.id, proposed.version),
    decision: "reject",
  });
  expect((await exceptionRow(x.id)).status).toBe("open");
  const [view] = await correctionsForException(t.db, x.id);
  expect(correctionStage(view!)).toBe("rejected");
  await expect(proposeCorrection(t.db, users.a, creditNote(x.id))).resolves.toMatchObject({
    status: "pending_approval",
  });
});
