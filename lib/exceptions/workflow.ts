import { z } from "zod";
import type { Db } from "@/db/client";
import { findAssigneeCandidate } from "@/db/queries/exception-workflow";
import { insertComment } from "@/db/queries/exception-detail";
import { writeAudit } from "@/lib/audit";
import { actorUserId, auditActorOf, isService } from "@/lib/auth/actor";
import { can } from "@/lib/auth/permissions";
import { AppError, InvalidInput } from "@/lib/errors";
import {
  COMMENT_MAX_LENGTH,
  DISMISSAL_CODES,
  NOTE_MAX_LENGTH,
  RESOLUTION_CODES,
} from "./vocabulary";
import {
  CLOSABLE,
  CLOSED,
  Target,
  WORKABLE,
  change,
  lockAtVersion,
  requireStatus,
  requireWorker,
  result,
  type WorkContext,
  type WorkResult,
} from "./workflow-rules";
import { parseInput } from "@/lib/parse-input";

export { DISMISSAL_CODES, RESOLUTION_CODES, REASON_LABELS } from "./vocabulary";
export type { Target, WorkActor, WorkContext, WorkResult } from "./workflow-rules";

/*
 * What people do with an exception: take it or hand it on, say something about it, start on
 * it, resolve or dismiss it with a reason, reopen it. Each action, whatever calls it:
 *   1. checks that the user's role may work exceptions (admin reads, but does not act);
 *   2. parses its input;
 *   3. in one transaction, locks the row, refuses if its version is not the one the user
 *      saw (someone — or the telemetry — changed it since: optimistic concurrency), changes
 *      it, bumps the version and writes the audit entry with before and after.
 * Audit actions start with "exception.", so each counts as a manual intervention (KPIs).
 * Steps 1 and 3 are shared by every action (workflow-rules.ts). Retries
 * (lib/exceptions/retry.ts) and corrections (lib/corrections) are actions too, kept in their
 * own modules.
 */

/** One bulk request acts on at most a few pages of the queue. */
export const MAX_BULK_ITEMS = 500;

const Note = z
  .string()
  .trim()
  .max(NOTE_MAX_LENGTH, `must be at most ${NOTE_MAX_LENGTH} characters`);

const AssignInput = Target.extend({
  assigneeId: z.uuid({ message: "is not a user id" }).nullable(),
});
const CommentInput = Target.extend({
  body: z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(COMMENT_MAX_LENGTH, `must be at most ${COMMENT_MAX_LENGTH} characters`),
});
const ResolveReason = z
  .object({ code: z.enum(RESOLUTION_CODES), note: Note.default("") })
  .refine((v) => v.code !== "other" || v.note.length > 0, {
    path: ["note"],
    message: "must say what was done when the reason is other",
  });
const DismissReason = z.object({
  code: z.enum(DISMISSAL_CODES),
  note: Note.min(1, "must say why the exception needs no action"),
});
const ReopenInput = Target.extend({ note: Note.default("") });

/** An active user whose role may work exceptions, or an error saying why not. */
async function assignable(db: Db, userId: string): Promise<{ id: string; email: string }> {
  const user = await findAssigneeCandidate(db, userId);
  if (!user) throw new InvalidInput("No such user to assign to");
  if (!user.active)
    throw new InvalidInput(`${user.email} is deactivated and cannot be assigned exceptions`);
  if (!can(user.role, "exceptions:work")) {
    throw new InvalidInput(
      `${user.email} (${user.role}) cannot work exceptions, so cannot be assigned them`,
    );
  }
  return { id: user.id, email: user.email };
}

async function assignLocked(
  tx: Db,
  ctx: WorkContext,
  target: { id: string; version: number },
  assignee: { id: string; email: string } | null,
): Promise<WorkResult> {
  const row = await lockAtVersion(tx, target);
  requireStatus(row, [...WORKABLE, "awaiting_approval", "awaiting_confirmation"], "assign");
  if (row.ownerId === (assignee?.id ?? null)) return result(row, false);
  return change(
    tx,
    ctx,
    row,
    assignee ? "exception.assigned" : "exception.unassigned",
    { ownerId: assignee?.id ?? null },
    {
      ownerEmail: assignee?.email ?? null,
    },
  );
}

/** Gives the exception to a user who may work exceptions (oneself included), or to nobody with null. */
export async function assignException(
  db: Db,
  ctx: WorkContext,
  input: { id: string; version: number; assigneeId: string | null },
): Promise<WorkResult> {
  requireWorker(ctx.actor);
  const data = parseInput(AssignInput, input);
  return db.transaction(async (tx) => {
    const assignee = data.assigneeId ? await assignable(tx, data.assigneeId) : null;
    return assignLocked(tx, ctx, data, assignee);
  });
}

/**
 * Adds a comment. It changes nothing in the exception, so it leaves the version alone; but
 * it is refused on a stale version like every action, as a remark about a state that no
 * longer holds would mislead whoever reads it.
 */
export async function commentOnException(
  db: Db,
  ctx: WorkContext,
  input: { id: string; version: number; body: string },
): Promise<WorkResult & { commentId: number }> {
  requireWorker(ctx.actor);
  const data = parseInput(CommentInput, input);
  return db.transaction(async (tx) => {
    const row = await lockAtVersion(tx, data);
    const comment = await insertComment(tx, {
      exceptionId: row.id,
      authorId: actorUserId(ctx.actor),
      authorKeyId: isService(ctx.actor) ? ctx.actor.serviceKey.id : null,
      body: data.body,
    });
    await writeAudit(tx, {
      actor: auditActorOf(ctx.actor),
      action: "exception.commented",
      target: { type: "exception", id: row.id },
      after: {
        commentId: comment.id,
        body: data.body.length > 200 ? `${data.body.slice(0, 199)}…` : data.body,
      },
      meta: ctx.meta,
    });
    return { ...result(row, true), commentId: comment.id };
  });
}

/** Marks the exception in progress; whoever starts an unowned exception takes it. */
export async function startException(db: Db, ctx: WorkContext, input: Target): Promise<WorkResult> {
  requireWorker(ctx.actor);
  const data = parseInput(Target, input);
  return db.transaction(async (tx) => {
    const row = await lockAtVersion(tx, data);
    requireStatus(row, ["open"], "start");
    return change(tx, ctx, row, "exception.started", {
      status: "in_progress",
      // A service key owns nothing: an unowned exception it starts stays unowned.
      ownerId: row.ownerId ?? actorUserId(ctx.actor),
    });
  });
}

type Reason<T extends z.ZodType> = z.output<T>;
type LockTarget = { id: string; version: number };

/**
 * Closes the exception, resolved or dismissed, with the reason code and note, under the row
 * lock at the version the person saw.
 */
async function closeLocked(
  tx: Db,
  ctx: WorkContext,
  target: LockTarget,
  outcome: { status: "resolved" | "dismissed"; verb: "resolve" | "dismiss" },
  reason: Reason<typeof ResolveReason> | Reason<typeof DismissReason>,
): Promise<WorkResult> {
  const row = await lockAtVersion(tx, target);
  requireStatus(row, CLOSABLE, outcome.verb);
  return change(tx, ctx, row, `exception.${outcome.status}`, {
    status: outcome.status,
    closedAt: ctx.at ?? new Date(),
    closedBy: actorUserId(ctx.actor),
    resolutionCode: reason.code,
    resolutionNote: reason.note || null,
  });
}

const RESOLVE = { status: "resolved", verb: "resolve" } as const;
const DISMISS = { status: "dismissed", verb: "dismiss" } as const;

async function closeException(
  db: Db,
  ctx: WorkContext,
  input: unknown,
  outcome: typeof RESOLVE | typeof DISMISS,
  reasonSchema: typeof ResolveReason | typeof DismissReason,
): Promise<WorkResult> {
  requireWorker(ctx.actor);
  const target = parseInput(Target, input);
  const reason = parseInput(reasonSchema, input);
  return db.transaction((tx) => closeLocked(tx, ctx, target, outcome, reason));
}

/** Closes the exception as dealt with, with a reason code and a note (required for "other"). */
export async function resolveException(
  db: Db,
  ctx: WorkContext,
  input: Target & { code: string; note?: string },
): Promise<WorkResult> {
  return closeException(db, ctx, input, RESOLVE, ResolveReason);
}

/** Closes the exception as needing no action, with a reason code and a note saying why. */
export async function dismissException(
  db: Db,
  ctx: WorkContext,
  input: Target & { code: string; note: string },
): Promise<WorkResult> {
  return closeException(db, ctx, input, DISMISS, DismissReason);
}

/** Opens a resolved or dismissed exception again; it keeps its owner. */
export async function reopenException(
  db: Db,
  ctx: WorkContext,
  input: Target & { note?: string },
): Promise<WorkResult> {
  requireWorker(ctx.actor);
  const data = parseInput(ReopenInput, input);
  return db.transaction(async (tx) => {
    const row = await lockAtVersion(tx, data);
    requireStatus(row, CLOSED, "reopen");
    return change(
      tx,
      ctx,
      row,
      "exception.reopened",
      {
        status: "open",
        closedAt: null,
        closedBy: null,
        resolutionCode: null,
        resolutionNote: null,
      },
      data.note ? { note: data.note } : {},
    );
  });
}

export type BulkItemResult =
  | { id: string; ok: true; version: number; changed: boolean }
  | { id: string; ok: false; code: string; error: string };

/**
 * Runs one action per item, each in its own transaction, so one stale or closed item does
 * not hold back the rest: every item gets its own result. Errors that are not about the
 * item (the database went away) stop the run and propagate.
 */
async function eachItem(
  targets: readonly Target[],
  act: (target: LockTarget) => Promise<WorkResult>,
): Promise<BulkItemResult[]> {
  if (targets.length === 0) throw new InvalidInput("Select at least one exception");
  if (targets.length > MAX_BULK_ITEMS)
    throw new InvalidInput(`Select at most ${MAX_BULK_ITEMS} exceptions at once`);
  const seen = new Set<string>();
  const results: BulkItemResult[] = [];
  for (const raw of targets) {
    const id = String(raw.id);
    if (seen.has(id)) continue;
    seen.add(id);
    try {
      const target = parseInput(Target, raw);
      const done = await act(target);
      results.push({ id, ok: true, version: done.version, changed: done.changed });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      results.push({ id, ok: false, code: error.code, error: error.message });
    }
  }
  return results;
}

export async function bulkAssign(
  db: Db,
  ctx: WorkContext,
  targets: readonly Target[],
  assigneeId: string | null,
): Promise<BulkItemResult[]> {
  requireWorker(ctx.actor);
  const parsed = parseInput(z.uuid({ message: "is not a user id" }).nullable(), assigneeId);
  const assignee = parsed ? await assignable(db, parsed) : null;
  return eachItem(targets, (target) =>
    db.transaction((tx) => assignLocked(tx, ctx, target, assignee)),
  );
}

export async function bulkResolve(
  db: Db,
  ctx: WorkContext,
  targets: readonly Target[],
  reason: { code: string; note?: string },
): Promise<BulkItemResult[]> {
  requireWorker(ctx.actor);
  // The reason is checked once, before any item is touched.
  const parsed = parseInput(ResolveReason, reason);
  return eachItem(targets, (target) =>
    db.transaction((tx) => closeLocked(tx, ctx, target, RESOLVE, parsed)),
  );
}

export async function bulkDismiss(
  db: Db,
  ctx: WorkContext,
  targets: readonly Target[],
  reason: { code: string; note: string },
): Promise<BulkItemResult[]> {
  requireWorker(ctx.actor);
  const parsed = parseInput(DismissReason, reason);
  return eachItem(targets, (target) =>
    db.transaction((tx) => closeLocked(tx, ctx, target, DISMISS, parsed)),
  );
}
