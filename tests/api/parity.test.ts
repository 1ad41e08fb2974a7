import { and, asc, eq, inArray } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { auditLog, corrections, exceptions } from "@/db/schema";
import { periodFromKey } from "@/lib/close/period";
import { computeCloseReadiness } from "@/lib/close/readiness";
import { decideCorrection, proposeCorrection } from "@/lib/corrections/corrections";
import { handleCloseReadiness } from "@/lib/close/http";
import { handleDecideCorrection, handleProposeCorrection } from "@/lib/corrections/api";
import { handleExceptionAction } from "@/lib/exceptions/api";
import type { ExceptionAction } from "@/lib/contract/work-api";
import { dismissRejectedGroup, replayRejectedGroup } from "@/lib/exceptions/rejected-events";
import { requestPostingRetry } from "@/lib/exceptions/retry";
import {
  assignException,
  commentOnException,
  dismissException,
  resolveException,
  startException,
} from "@/lib/exceptions/workflow";
import { userActor } from "@/lib/server/request-meta";
import { asActor, ingest, invoiceIssued, makeUser, seedException } from "../exceptions/support";
import { makeEndpoint } from "../outbox/support";
import { testDbForSuite } from "../support/db";
import { answer, apiRequest, failedPosting, rejectedGroup, serviceKey, tokenFor } from "./support";

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
  await makeEndpoint(t.db, "https://erp.example.test/retry", ["erp.posting.retry"]);
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

  it("retry, dismiss, replay and dismiss-events; a service key reads the same close", async () => {
    // What the UI's server actions pass for the signed-in maker.
    const by = { userId: maker.id, actor: userActor(maker), meta: undefined };
    const pairs: { action: string; clicked: string; scripted: string }[] = [];

    const retried = [await failedPosting(t.db), await failedPosting(t.db)];
    await requestPostingRetry(t.db, retried[0]!.id, by);
    await api(retried[1]!.id, "retry");
    pairs.push({ action: "retry", clicked: retried[0]!.id, scripted: retried[1]!.id });

    const dismissed = [
      await seedException(t.db, { entity: "PARITY-UI" }),
      await seedException(t.db, { entity: "PARITY-API" }),
    ];
    await dismissException(t.db, asActor(maker), {
      id: dismissed[0]!.id,
      version: 1,
      code: "false_positive",
      note: "Not a break",
    });
    await api(dismissed[1]!.id, "dismiss", { reason: "false_positive", note: "Not a break" });
    pairs.push({ action: "dismiss", clicked: dismissed[0]!.id, scripted: dismissed[1]!.id });

    const replayed = [await rejectedGroup(t.db), await rejectedGroup(t.db)];
    await replayRejectedGroup(t.db, replayed[0]!.id, by);
    await api(replayed[1]!.id, "replay");
    pairs.push({ action: "replay", clicked: replayed[0]!.id, scripted: replayed[1]!.id });

    const dropped = [await rejectedGroup(t.db), await rejectedGroup(t.db)];
    await dismissRejectedGroup(t.db, dropped[0]!.id, "Test data sent by mistake", by);
    await api(dropped[1]!.id, "dismiss-events", { reason: "Test data sent by mistake" });
    pairs.push({ action: "dismiss-events", clicked: dropped[0]!.id, scripted: dropped[1]!.id });

    for (const { action, clicked, scripted } of pairs) {
      const a = await stateOf(clicked);
      const b = await stateOf(scripted);
      expect(b.exception, action).toEqual(a.exception);
      expect(a.trail.length, `${action} is audited`).toBeGreaterThan(0);
      expect(b.trail, action).toEqual(a.trail);
      // The person's entries say "via token"; what Closeline itself did after is the same.
      expect(b.labels, action).toEqual(
        a.labels.map((label) => (label === maker.email ? `${maker.email} via token maker` : label)),
      );
      if (action !== "replay") expect(b.labels, action).toContain(`${maker.email} via token maker`);
    }
    // A replay is audited on the rejected event it sends again: once clicked, once scripted.
    const replays = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetType, "rejected_event"), eq(auditLog.actorId, maker.id)))
      .orderBy(asc(auditLog.id));
    expect(replays.map((e) => [e.action, e.actorLabel])).toEqual([
      [replays[0]!.action, maker.email],
      [replays[0]!.action, `${maker.email} via token maker`],
    ]);

    // The third identity of the script, a service key, reads the close readiness the API
    // answers; it is the one the UI computes, and the dismissals freed both entities alike.
    // The same telemetry in each entity, so the API knows both and neither has more to close.
    await ingest(
      t.db,
      ["PARITY-UI", "PARITY-API"].map((entity) =>
        invoiceIssued(`INV-${entity}`, { entity, at: "2026-12-03T10:00:00Z" }),
      ),
    );
    const reader = await serviceKey(t.db, ["read"]);
    const answered: unknown[] = [];
    for (const entity of ["PARITY-UI", "PARITY-API"]) {
      const read = await answer<{
        checks: { key: string; passed: boolean; blockerCount: number }[];
      }>(
        handleCloseReadiness(
          t.db,
          apiRequest("GET", `/api/v1/close-readiness?entity=${entity}&period=2026-12`, {
            token: reader.key,
          }),
        ),
        "GET /api/v1/close-readiness",
      );
      const computed = await computeCloseReadiness(t.db, {
        entity,
        period: periodFromKey("2026-12"),
      });
      expect(read.status).toBe(200);
      expect(read.body.checks.map((c) => [c.key, c.passed])).toEqual(
        computed.checks.map((c) => [c.key, c.passed]),
      );
      answered.push(read.body.checks.map((c) => [c.key, c.passed, c.blockerCount]));
    }
    expect(answered[1]).toEqual(answered[0]);
  });
});
