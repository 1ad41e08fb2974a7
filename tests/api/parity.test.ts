import { and, asc, eq, inArray } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { auditLog, corrections, exceptions } from "@/db/schema";
import { periodFromKey } from "@/lib/close/period";
import { computeCloseReadiness } from "@/lib/close/readiness";
import { decideCorrection, proposeCorrection } from "@/lib/corrections/corrections";
import { handleDecideCorrection, handleProposeCorrection } from "@/lib/corrections/api";
import { handleExceptionAction } from "@/lib/exceptions/api";
import type { ExceptionAction } from "@/lib/contract/work-api";
import {
  assignException,
  commentOnException,
  resolveException,
  startException,
} from "@/lib/exceptions/workflow";
import { asActor, makeUser, seedException } from "../exceptions/support";
import { makeEndpoint } from "../outbox/support";
import { testDbForSuite } from "../support/db";
import { answer, apiRequest, tokenFor } from "./support";

/*
 * The same steps clicked in the UI (the lib/ calls its server actions make) and sent through
 * the API with two finance users' personal tokens end in the same state: the exception, the
 * correction and the audit trail, who included; only the audit label says "via token".
 */

vi.mock("next-auth", async () => (await import("../support/no-session")).withoutSession());

const t = testDbForSuite();
let maker: Awaited<ReturnType<typeof makeUser>>;
let checker: Awaited<ReturnType<typeof makeUser>>;
let makerToken: string;
let checkerToken: string;

beforeAll(async () => {
  maker = await makeUser(t.db, "finance");
  checker = await makeUser(t.db, "finance");
  makerToken = (await tokenFor(t.db, maker.id, "maker")).key;
  checkerToken = (await tokenFor(t.db, checker.id, "checker")).key;
  await makeEndpoint(t.db, "https://erp.example.test/corrections", ["correction.execute"]);
});

async function api(id: string, action: ExceptionAction, body?: unknown) {
  const request = apiRequest("POST", `/api/v1/exceptions/${id}/${action}`, {
    token: makerToken,
    body,
  });
  const res = await answer(
    handleExceptionAction(t.db, request, id, action),
    `POST /api/v1/exceptions/{id}/${action}`,
  );
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
}

async function stateOf(exceptionId: string) {
  const [x] = await t.db.select().from(exceptions).where(eq(exceptions.id, exceptionId));
  const cs = await t.db.select().from(corrections).where(eq(corrections.exceptionId, exceptionId));
  const trail = await t.db
    .select()
    .from(auditLog)
    .where(
      and(
        inArray(auditLog.targetId, [exceptionId, ...cs.map((c) => c.id)]),
        inArray(auditLog.targetType, ["exception", "correction"]),
      ),
    )
    .orderBy(asc(auditLog.id));
  return {
    exception: {
      status: x!.status,
      version: x!.version,
      ownerId: x!.ownerId,
      resolutionCode: x!.resolutionCode,
    },
    corrections: cs.map((c) => ({
      status: c.status,
      version: c.version,
      proposedBy: c.proposedBy,
      amountMinor: c.amountMinor,
    })),
    trail: trail.map((e) => ({ action: e.action, actorType: e.actorType, actorId: e.actorId })),
    labels: trail.map((e) => e.actorLabel),
  };
}

describe("UI and API end in the same state", () => {
  it("assign, comment, start, propose, own approval refused, approve by the other person", async () => {
    // One entity each, so each one's close readiness is the work of one path alone.
    const clicked = await seedException(t.db, {
      type: "reconciliation_break",
      entity: "PARITY-UI",
    });
    const scripted = await seedException(t.db, {
      type: "reconciliation_break",
      entity: "PARITY-API",
    });
    const closeOf = async (entity: string) =>
      (await computeCloseReadiness(t.db, { entity, period: periodFromKey("2026-12") })).checks.map(
        (c) => ({ key: c.key, passed: c.passed, blockers: c.blockerCount }),
      );
    const proposal = {
      kind: "credit_note" as const,
      amountMinor: 12_500,
      currency: "USD",
      targetSystem: "netsuite",
      reason: "Usage double-counted",
    };

    // Clicked: what the server actions call, as the signed-in maker and checker.
    const ui = asActor(maker);
    await assignException(t.db, ui, { id: clicked.id, version: 1, assigneeId: maker.id });
    await commentOnException(t.db, ui, { id: clicked.id, version: 2, body: "Checking" });
    await startException(t.db, ui, { id: clicked.id, version: 2 });
    const c = await proposeCorrection(t.db, maker, { exceptionId: clicked.id, ...proposal });
    const clickedWaiting = await closeOf("PARITY-UI");
    await expect(
      decideCorrection(t.db, maker, {
        correctionId: c.id,
        decision: "approve",
        expectedVersion: 1,
        reason: "Mine",
      }),
    ).rejects.toThrow("You cannot decide on a correction you proposed");
    await decideCorrection(t.db, checker, {
      correctionId: c.id,
      decision: "approve",
      expectedVersion: 1,
      reason: "Checked",
    });

    // Scripted: the same steps through the API with the two people's tokens.
    await api(scripted.id, "assign", { assignee: maker.email });
    await api(scripted.id, "comments", { body: "Checking" });
    await api(scripted.id, "start");
    const proposed = await answer<{ id: string }>(
      handleProposeCorrection(
        t.db,
        apiRequest("POST", `/api/v1/exceptions/${scripted.id}/corrections`, {
          token: makerToken,
          body: proposal,
        }),
        scripted.id,
      ),
      "POST /api/v1/exceptions/{id}/corrections",
    );
    const approve = (token: string) =>
      answer(
        handleDecideCorrection(
          t.db,
          apiRequest("POST", `/api/v1/corrections/${proposed.body.id}/approve`, {
            token,
            body: { reason: "Checked" },
          }),
          proposed.body.id,
          "approve",
        ),
        "POST /api/v1/corrections/{id}/approve",
      );
    const scriptedWaiting = await closeOf("PARITY-API");
    // While the proposal waits, the close is held by it, whichever way it was proposed.
    expect(scriptedWaiting).toEqual(clickedWaiting);
    expect(scriptedWaiting.find((c) => c.key === "no_pending_approvals")).toMatchObject({
      passed: false,
      blockers: 1,
    });
    expect((await approve(makerToken)).status).toBe(403);
    expect((await approve(checkerToken)).status).toBe(200);

    const a = await stateOf(clicked.id);
    const b = await stateOf(scripted.id);
    expect(b.exception).toEqual(a.exception);
    expect(b.exception.status).toBe("awaiting_confirmation");
    expect(b.corrections).toEqual(a.corrections);
    expect(b.trail).toEqual(a.trail);
    const closedClicked = await closeOf("PARITY-UI");
    expect(await closeOf("PARITY-API")).toEqual(closedClicked);
    expect(closedClicked.find((c) => c.key === "no_pending_approvals")!.passed).toBe(true);
    expect(a.labels).toEqual([maker.email, maker.email, maker.email, maker.email, checker.email]);
    expect(b.labels).toEqual([
      `${maker.email} via token maker`,
      `${maker.email} via token maker`,
      `${maker.email} via token maker`,
      `${maker.email} via token maker`,
      `${checker.email} via token checker`,
    ]);
  });

  it("resolve with a reason", async () => {
    const clicked = await seedException(t.db);
    const scripted = await seedException(t.db);
    await resolveException(t.db, asActor(maker), {
      id: clicked.id,
      version: 1,
      code: "duplicate",
      note: "Seen twice",
    });
    await api(scripted.id, "resolve", { reason: "duplicate", note: "Seen twice" });
    const a = await stateOf(clicked.id);
    const b = await stateOf(scripted.id);
    expect(b.exception).toEqual(a.exception);
    expect(b.trail).toEqual(a.trail);
  });
});
