import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { exceptions } from "@/db/schema";
import { SYSTEM_ACTOR } from "@/lib/audit";
import type { CurrentUser } from "@/lib/auth/session";
import { periodFromKey } from "@/lib/close/period";
import { computeCloseReadiness } from "@/lib/close/readiness";
import { decideCorrection, proposeCorrection } from "@/lib/corrections/corrections";
import { ingestItems } from "@/lib/ingest/ingest";
import { createEndpoint } from "@/lib/outbox/endpoints";
import { testDbForSuite } from "../support/db";
import { NOV, ingest, makeUser, reconciliation, uniqueEntity } from "./support";

/*
 * "No pending approvals" follows the correction workflow as people drive it: it fails while
 * a correction waits for an approver — in every month of the entity, since an undecided
 * change of money blocks any close — and passes on the next computation once the correction
 * is approved (the exception then waits for the target system, not for an approver) or
 * rejected.
 */

const t = testDbForSuite();
let maker: CurrentUser;
let checker: CurrentUser;
let second: CurrentUser;

const asCurrentUser = (u: { id: string; email: string }): CurrentUser => ({
  id: u.id,
  email: u.email,
  name: null,
  role: "finance",
});

beforeAll(async () => {
  maker = asCurrentUser(await makeUser(t.db));
  checker = asCurrentUser(await makeUser(t.db));
  second = asCurrentUser(await makeUser(t.db));
  // Approved corrections leave through the outbox, which needs a receiver for them.
  await createEndpoint(
    t.db,
    { name: "billing corrections", url: "http://127.0.0.1:9/hook", kinds: ["correction.execute"] },
    { createdBy: null, actor: SYSTEM_ACTOR },
  );
});
const MONTHS = ["2026-10", "2026-11", "2026-12"];

/** The check's pass/fail in each of the months, computed afresh as a page refresh would. */
async function pendingApprovalsPass(entity: string): Promise<boolean[]> {
  return Promise.all(
    MONTHS.map(async (key) => {
      const report = await computeCloseReadiness(t.db, { entity, period: periodFromKey(key) });
      return report.checks.find((c) => c.key === "no_pending_approvals")!.passed;
    }),
  );
}

/** A reconciliation break of the entity in October, and a correction proposed for it. */
async function proposedCorrection(entity: string, amountMinor = 30_000) {
  await ingest(
    t.db,
    reconciliation(entity, { key: "cus_1", expected: 150_000, actual: 120_000, time: NOV(2) }),
  );
  const [exception] = await t.db
    .select({ id: exceptions.id })
    .from(exceptions)
    .where(and(eq(exceptions.entity, entity), eq(exceptions.type, "reconciliation_break")));
  const correction = await proposeCorrection(t.db, maker, {
    exceptionId: exception!.id,
    kind: "credit_note",
    amountMinor,
    currency: "USD",
    targetSystem: "billing",
    reason: "Credit the difference the ERP did not book",
  });
  return { exceptionId: exception!.id, correction };
}

const decision = (
  correctionId: string,
  version: number,
  verdict: "approve" | "reject" = "approve",
) => ({
  correctionId,
  decision: verdict,
  expectedVersion: version,
  reason: "Checked against the ledger",
});

describe("no pending approvals, through the correction workflow", () => {
  it("fails in every month while the correction waits, and passes once B approves it", async () => {
    const entity = uniqueEntity("appr-flow");
    expect(await pendingApprovalsPass(entity)).toEqual([true, true, true]);
    const { exceptionId, correction } = await proposedCorrection(entity);
    expect(await pendingApprovalsPass(entity)).toEqual([false, false, false]);

    await decideCorrection(t.db, checker, decision(correction.id, correction.version));
    expect(await pendingApprovalsPass(entity)).toEqual([true, true, true]);
    // Not because the exception went away: it waits for the target system's confirmation.
    const [row] = await t.db.select().from(exceptions).where(eq(exceptions.id, exceptionId));
    expect(row!.status).toBe("awaiting_confirmation");
    // The break itself still blocks October until it is confirmed fixed.
    const october = await computeCloseReadiness(t.db, { entity, period: periodFromKey("2026-10") });
    expect(october.checks.find((c) => c.key === "no_material_reconciliation_breaks")!.passed).toBe(
      false,
    );
  });

  it("keeps failing after the first of two required approvals, passes after the second", async () => {
    const entity = uniqueEntity("appr-two");
    // Above the default threshold of 10,000.00 USD: two approvers.
    const { correction } = await proposedCorrection(entity, 1_000_001);
    expect(correction.requiredApprovals).toBe(2);
    const first = await decideCorrection(t.db, checker, decision(correction.id, 1));
    expect(await pendingApprovalsPass(entity)).toEqual([false, false, false]);
    await decideCorrection(t.db, second, decision(correction.id, first.version));
    expect(await pendingApprovalsPass(entity)).toEqual([true, true, true]);
  });

  it("passes once the correction is rejected, with the exception back to open", async () => {
    const entity = uniqueEntity("appr-rej");
    const { exceptionId, correction } = await proposedCorrection(entity);
    await decideCorrection(t.db, checker, decision(correction.id, correction.version, "reject"));
    expect(await pendingApprovalsPass(entity)).toEqual([true, true, true]);
    const [row] = await t.db.select().from(exceptions).where(eq(exceptions.id, exceptionId));
    expect(row!.status).toBe("open");
  });

  it("a correction the target system confirmed clears the break; a failed one does not", async () => {
    const entity = uniqueEntity("appr-exec");
    const { correction } = await proposedCorrection(entity);
    await decideCorrection(t.db, checker, decision(correction.id, correction.version));
    const breakCheck = async () =>
      (await computeCloseReadiness(t.db, { entity, period: periodFromKey("2026-10") })).checks.find(
        (c) => c.key === "no_material_reconciliation_breaks",
      )!;
    const report = (status: "executed" | "failed", hour: number) =>
      ingestItems(
        t.db,
        [
          {
            specversion: "1.0",
            id: `exec-${correction.id}-${status}-${hour}`,
            source: "urn:test:billing",
            type: "correction.executed",
            time: NOV(4, hour),
            data: {
              correctionId: correction.id,
              status,
              executedAt: NOV(4, hour),
              ...(status === "executed"
                ? { documentRef: "CN-0042" }
                : { errorMessage: "Customer account is locked" }),
            },
          },
        ],
        { apiKeyId: null, channel: "api" },
      );

    await report("failed", 1);
    expect((await breakCheck()).passed).toBe(false);

    await report("executed", 2);
    const cleared = await breakCheck();
    expect(cleared.passed).toBe(true);
    expect(cleared.blockers).toEqual([]);
    expect(cleared.explanation).toContain(
      "1 break cleared by a correction the target system confirmed",
    );

    // A later report that the booking failed after all puts the break back.
    await report("failed", 3);
    expect((await breakCheck()).passed).toBe(false);
  });

  it("a confirmed correction leaves the break check passing too", async () => {
    const entity = uniqueEntity("appr-done");
    const { correction } = await proposedCorrection(entity);
    await decideCorrection(t.db, checker, decision(correction.id, correction.version));
    // The next reconciliation run finds the amounts agreeing.
    await ingest(
      t.db,
      reconciliation(entity, { key: "cus_1", expected: 150_000, actual: 150_000, time: NOV(3) }),
    );
    const october = await computeCloseReadiness(t.db, { entity, period: periodFromKey("2026-10") });
    expect(october.checks.filter((c) => !c.passed).map((c) => c.key)).not.toContain(
      "no_pending_approvals",
    );
    expect(october.checks.find((c) => c.key === "no_material_reconciliation_breaks")!.passed).toBe(
      true,
    );
  });
});
