import { z } from "zod";
import type { Db } from "@/db/client";
import {
  correctionsWithCommandStatus,
  countApprovals,
  decisionsOfException,
  findApprovalThreshold,
  hasDecided,
  insertCorrection,
  insertCorrectionDecision,
  latestExecutions,
  lockCorrection,
  updateCorrectionStatus,
} from "@/db/queries/corrections";
import {
  findExceptionRow,
  lockException,
  moveExceptionStatus,
  type ExceptionRow,
} from "@/db/queries/exception-workflow";
import {
  CORRECTABLE_EXCEPTION_TYPES,
  CORRECTION_KINDS,
  type Correction,
  type CorrectionStatus,
} from "@/db/schema";
import { writeAudit, type RequestMeta } from "@/lib/audit";
import { actorCan, actorName, auditActorOf, isService, type Actor } from "@/lib/auth/actor";
import { CurrencyCode } from "@/lib/contract/primitives";
import { Conflict, Forbidden, InvalidInput, NotFound, StaleVersion } from "@/lib/errors";
import { checkIfMatch } from "@/lib/http/json-body";
import { currencyDigits } from "@/lib/format";
import { enqueue } from "@/lib/outbox/enqueue";
import { parseInput } from "@/lib/parse-input";

/*
 * Corrections change money, so they run under maker-checker control, enforced here on the
 * server whatever the caller: anyone with corrections:propose may propose; only
 * corrections:approve (finance) may decide; the proposer never decides their own proposal;
 * above the entity's threshold two different approvers are needed; a decision names the
 * version it was based on and is refused if the proposal changed since. An approved
 * correction leaves through the outbox as a command to its target system.
 *
 * The exception follows its correction: proposed → awaiting_approval; approved (by the last
 * approver needed) → awaiting_confirmation, until the target system reports the correction
 * carried out (a correction.executed event closes it, db/queries/exception-sync.ts) or
 * failed (back to open); rejected → open, where another correction may be proposed.
 */

/** 10,000.00 in the correction's currency (10,000 major units), unless the entity sets its own. */
export const DEFAULT_THRESHOLD_MAJOR_UNITS = 10_000;

export const ProposeCorrectionInput = z.object({
  exceptionId: z.uuid(),
  kind: z.enum(CORRECTION_KINDS),
  amountMinor: z.int().min(1, "must be a positive amount in minor units"),
  currency: CurrencyCode,
  targetSystem: z.string().trim().min(1, "is required").max(100),
  reason: z.string().trim().min(5, "must explain the correction (5+ characters)").max(2000),
});
export type ProposeCorrectionInput = z.input<typeof ProposeCorrectionInput>;

export const DecideCorrectionInput = z.object({
  correctionId: z.uuid(),
  decision: z.enum(["approve", "reject"]),
  /** The version the decider saw; a newer one means someone changed the proposal since. */
  expectedVersion: z.int().min(1),
  reason: z.string().trim().min(3, "must give a reason").max(2000),
});
export type DecideCorrectionInput = z.input<typeof DecideCorrectionInput>;

export async function approvalThreshold(
  db: Db,
  entity: string | null,
  currency: string,
): Promise<number> {
  if (entity) {
    const own = await findApprovalThreshold(db, { entity, currency });
    if (own !== null) return own;
  }
  return DEFAULT_THRESHOLD_MAJOR_UNITS * 10 ** currencyDigits(currency);
}

export async function proposeCorrection(
  db: Db,
  user: Actor,
  input: ProposeCorrectionInput,
  meta?: RequestMeta,
  /** The exception's version the proposer saw (If-Match), checked under its row lock; null: any. */
  expectedExceptionVersion: number | null = null,
): Promise<Correction> {
  if (!actorCan(user, "corrections:propose"))
    throw new Forbidden("Your role cannot propose corrections");
  const data = parseInput(ProposeCorrectionInput, input);
  return db.transaction(async (tx) => {
    const exception = await lockException(tx, data.exceptionId);
    if (!exception) throw new NotFound("No such exception");
    checkIfMatch(expectedExceptionVersion, exception.version, "exception");
    if (!(CORRECTABLE_EXCEPTION_TYPES as readonly string[]).includes(exception.type)) {
      throw new InvalidInput(`A ${exception.type} exception is not corrected with a correction`);
    }
    if (exception.status === "resolved" || exception.status === "dismissed") {
      throw new Conflict("The exception is closed; reopen it first");
    }
    // One correction in flight at a time: a second proposal could double the money moved.
    if (exception.status === "awaiting_approval") {
      throw new Conflict("A correction of this exception already awaits approval");
    }
    if (exception.status === "awaiting_confirmation") {
      throw new Conflict(
        "An approved correction of this exception awaits the target system's confirmation",
      );
    }
    const threshold = await approvalThreshold(tx, exception.entity, data.currency);
    const correction = await insertCorrection(tx, {
      exceptionId: exception.id,
      kind: data.kind,
      amountMinor: data.amountMinor,
      currency: data.currency,
      entity: exception.entity,
      targetSystem: data.targetSystem,
      reason: data.reason,
      requiredApprovals: data.amountMinor > threshold ? 2 : 1,
      proposedBy: isService(user) ? null : user.id,
      proposedByKeyId: isService(user) ? user.serviceKey.id : null,
    });
    await moveExceptionStatus(tx, exception.id, "awaiting_approval");
    await writeAudit(tx, {
      actor: auditActorOf(user),
      action: "correction.proposed",
      target: { type: "correction", id: correction.id },
      before: { exceptionStatus: exception.status },
      after: {
        exceptionId: exception.id,
        entity: exception.entity,
        kind: data.kind,
        amountMinor: data.amountMinor,
        currency: data.currency,
        targetSystem: data.targetSystem,
        requiredApprovals: correction.requiredApprovals,
        thresholdMinor: threshold,
      },
      meta,
    });
    return correction;
  });
}

export async function decideCorrection(
  db: Db,
  actor: Actor,
  input: DecideCorrectionInput,
  meta?: RequestMeta,
): Promise<Correction> {
  // Approval needs a person: a service key never decides, whatever its scopes.
  if (isService(actor))
    throw new Forbidden(
      `Approval needs a person: ${actorName(actor)} cannot approve or reject corrections`,
    );
  const user = actor;
  if (!actorCan(user, "corrections:approve"))
    throw new Forbidden("Only finance can approve or reject corrections");
  const data = parseInput(DecideCorrectionInput, input);
  return db.transaction(async (tx) => {
    // The row lock serialises concurrent decisions on one proposal.
    const current = await lockCorrection(tx, data.correctionId);
    if (!current) throw new NotFound("No such correction");
    if (current.proposedBy === user.id)
      throw new Forbidden("You cannot decide on a correction you proposed");
    if (current.version !== data.expectedVersion) {
      throw new StaleVersion(
        "The correction changed since you read it; review it again before deciding",
        current.version,
      );
    }
    if (current.status !== "pending_approval")
      throw new Conflict(`The correction is already ${current.status}`);
    if (await hasDecided(tx, current.id, user.id))
      throw new Conflict("You have already decided on this correction; another approver is needed");

    await insertCorrectionDecision(tx, {
      correctionId: current.id,
      deciderId: user.id,
      decision: data.decision,
      reason: data.reason,
    });
    const approvals = await countApprovals(tx, current.id);

    let status: CorrectionStatus = current.status;
    let commandId: string | null = current.commandId;
    if (data.decision === "reject") status = "rejected";
    else if (approvals >= current.requiredApprovals) {
      status = "approved";
      const exception = await findExceptionRow(tx, current.exceptionId);
      const { command } = await enqueue(tx, {
        kind: "correction.execute",
        idempotencyKey: `correction.execute:${current.id}`,
        exceptionId: current.exceptionId,
        createdBy: user.id,
        payload: {
          correctionId: current.id,
          exceptionId: current.exceptionId,
          kind: current.kind,
          amountMinor: current.amountMinor,
          currency: current.currency,
          entity: current.entity,
          targetSystem: current.targetSystem,
          reason: current.reason,
          // What the target system needs to find what it corrects, and what its
          // correction.executed report must name (correctionId) to confirm it.
          exception: exception ? exceptionKeys(exception) : null,
          confirmWith: { type: "correction.executed", correctionId: current.id },
        },
      });
      commandId = command.id;
    }
    const updated = await updateCorrectionStatus(tx, current.id, { status, commandId });
    // Rejected: back to the queue, the problem is still there and needs another answer.
    // Approved: the problem is being fixed, but is not gone until the target system says so.
    // (A first approval of two changes nothing: the correction still awaits approval.)
    const exceptionStatus =
      status === "rejected" ? "open" : status === "approved" ? "awaiting_confirmation" : null;
    if (exceptionStatus) {
      await moveExceptionStatus(tx, current.exceptionId, exceptionStatus, {
        from: "awaiting_approval",
      });
    }
    await writeAudit(tx, {
      actor: auditActorOf(user),
      action: data.decision === "approve" ? "correction.approved" : "correction.rejected",
      target: { type: "correction", id: current.id },
      before: {
        status: current.status,
        version: current.version,
        approvals: approvals - (data.decision === "approve" ? 1 : 0),
      },
      after: {
        status,
        version: updated.version,
        approvals,
        requiredApprovals: current.requiredApprovals,
        reason: data.reason,
        entity: current.entity,
        commandId,
        ...(exceptionStatus ? { exceptionStatus } : {}),
      },
      meta,
    });
    return updated;
  });
}

/** The keys that identify an exception's problem in the systems it comes from. */
function exceptionKeys(x: ExceptionRow) {
  return {
    id: x.id,
    type: x.type,
    problemKey: x.problemKey,
    invoiceId: x.invoiceId,
    postingId: x.postingId,
    paymentId: x.paymentId,
    customerId: x.customerId,
    runId: x.runId,
    contractId: x.contractId,
    details: x.details,
  };
}

export interface CorrectionExecution {
  status: "executed" | "failed";
  executedAt: Date;
  documentRef: string | null;
  errorMessage: string | null;
}

export interface CorrectionView extends Correction {
  decisions: { deciderId: string; decision: "approve" | "reject"; reason: string; at: Date }[];
  commandStatus: string | null;
  /** The target system's latest report on carrying it out, once it has sent one. */
  execution: CorrectionExecution | null;
}

/** The corrections of one exception with their decisions and the state of their command. */
export async function correctionsForException(
  db: Db,
  exceptionId: string,
): Promise<CorrectionView[]> {
  const rows = await correctionsWithCommandStatus(db, exceptionId);
  const decisions = rows.length ? await decisionsOfException(db, exceptionId) : [];
  const executions = rows.length
    ? await latestExecutions(
        db,
        rows.map((r) => r.correction.id),
      )
    : [];
  return rows.map(({ correction, commandStatus }) => ({
    ...correction,
    commandStatus,
    execution:
      executions
        .filter((e) => e.correctionId === correction.id)
        .map((e) => ({
          status: e.status,
          executedAt: e.executedAt,
          documentRef: e.documentRef,
          errorMessage: e.errorMessage,
        }))[0] ?? null,
    decisions: decisions
      .filter((d) => d.correctionId === correction.id)
      .map((d) => ({ deciderId: d.deciderId, decision: d.decision, reason: d.reason, at: d.at })),
  }));
}

export { CORRECTABLE_EXCEPTION_TYPES, CORRECTION_KINDS, type CorrectionKind } from "@/db/schema";
