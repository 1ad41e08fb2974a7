import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { insertComment } from "@/db/queries/exception-detail";
import { exceptions, users, type ExceptionStatus } from "@/db/schema";
import { writeAudit, type RequestMeta } from "@/lib/audit";
import { actorCan, actorUserId, auditActorOf, isService, type Actor } from "@/lib/auth/actor";
import { can } from "@/lib/auth/permissions";
import { AppError, Conflict, Forbidden, InvalidInput, NotFound, StaleVersion } from "@/lib/errors";
import {
  COMMENT_MAX_LENGTH,
  DISMISSAL_CODES,
  NOTE_MAX_LENGTH,
  RESOLUTION_CODES,
} from "./vocabulary";

export { DISMISSAL_CODES, RESOLUTION_CODES, REASON_LABELS } from "./vocabulary";

/*
 * What people do with an exception: take it or hand it on, say something about it, start on
 * it, resolve or dismiss it with a reason, reopen it. Each action, whatever calls it:
 *   1. checks that the user's role may work exceptions (admin reads, but does not act);
 *   2. parses its input;
 *   3. in one transaction, locks the row, refuses if its version is not the one the user
 *      saw (someone — or the telemetry — changed it since: optimistic concurrency), changes
 *      it, bumps the version and writes the audit entry with before and after.
 * Audit actions start with "exception.", so each counts as a manual intervention (KPIs).
 * Retries (lib/exceptions/retry.ts) and corrections (lib/corrections) are actions too, kept
 * in their own modules.
 */

/** Statuses from which an exception can be worked; closed ones must be reopened first. */
const WORKABLE: readonly ExceptionStatus[] = ["open", "in_progress"];
/**
 * Statuses from which a person may close an exception. Awaiting confirmation included: the
 * target system's report closes it by itself, but someone who has seen the correction booked
 * (or whose receiver never reports) must not be left unable to.
 */
const CLOSABLE: readonly ExceptionStatus[] = [...WORKABLE, "awaiting_confirmation"];
const CLOSED: readonly ExceptionStatus[] = ["resolved", "dismissed"];
/** One bulk request acts on at most a few pages of the queue. */
export const MAX_BULK_ITEMS = 500;

/** A person (signed in or through a personal token), or a service key with the work scope. */
export type WorkActor = Actor;

export interface WorkContext {
  actor: WorkActor;
  meta?: RequestMeta;
  /**
   * When the action happened, for history replayed inside the server by the demo's
   * operations team (lib/server/demo-ops.ts). Routes and server actions never set it: a
   * person's action is stamped with the database's clock.
   */
  at?: Date;
}

/** The exception as the action left it: the version to send with the next action. */
export interface WorkResult {
  id: string;
  status: ExceptionStatus;
  ownerId: string | null;
  version: number;
  /** False when the exception was already as asked (e.g. assigned to that person): nothing was written. */
  changed: boolean;
}

const Target = z.object({
  id: z.uuid({ message: "is not an exception id" }),
  version: z.int().min(1, "must be the version you saw"),
});
export type Target = z.input<typeof Target>;

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

function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "value"}: ${i.message}`);
  throw new InvalidInput(problems.join("; "), problems);
}

function requireWorker(actor: WorkActor): void {
  if (!actorCan(actor, "exceptions:work")) {
    throw new Forbidden(
      isService(actor)
        ? "The API key lacks the 'work' scope"
        : "Your role may read exceptions but not work on them",
    );
  }
}

type ExceptionRow = typeof exceptions.$inferSelect;

/** What the audit entry records of the exception before and after a change. */
function snapshot(row: ExceptionRow) {
  return {
    status: row.status,
    ownerId: row.ownerId,
    resolutionCode: row.resolutionCode,
    resolutionNote: row.resolutionNote,
    version: row.version,
  };
}

const result = (row: ExceptionRow, changed: boolean): WorkResult => ({
  id: row.id,
  status: row.status,
  ownerId: row.ownerId,
  version: row.version,
  changed,
});

const statusWord = (status: ExceptionStatus) => status.replace("_", " ");

/** Locks the exception for the rest of the transaction and checks it is the version the user saw. */
async function lockAtVersion(
  tx: Db,
  target: { id: string; version: number },
): Promise<ExceptionRow> {
  const [row] = await tx
    .select()
    .from(exceptions)
    .where(eq(exceptions.id, target.id))
    .for("update");
  if (!row) throw new NotFound("No such exception");
  if (row.version !== target.version) {
    throw new StaleVersion(
      `This exception changed since you loaded it (you saw version ${target.version}, it is now at version ${row.version}); reload it and try again`,
      row.version,
    );
  }
  return row;
}

function requireStatus(
  row: ExceptionRow,
  allowed: readonly ExceptionStatus[],
  doing: string,
): void {
  if (allowed.includes(row.status)) return;
  const hint =
    row.status === "awaiting_approval"
      ? "; a correction awaits approval, decide it first"
      : row.status === "awaiting_confirmation"
        ? "; an approved correction awaits the target system's confirmation"
        : CLOSED.includes(row.status)
          ? "; reopen it first"
          : "";
  throw new Conflict(`Cannot ${doing} an exception that is ${statusWord(row.status)}${hint}`);
}

/** Writes the change and its audit entry; the caller holds the row lock. */
async function change(
  tx: Db,
  ctx: WorkContext,
  row: ExceptionRow,
  action: string,
  set: Partial<
    Pick<
      ExceptionRow,
      "status" | "ownerId" | "closedAt" | "closedBy" | "resolutionCode" | "resolutionNote"
    >
  >,
  extra: Record<string, unknown> = {},
): Promise<WorkResult> {
  const [after] = await tx
    .update(exceptions)
    .set({ ...set, updatedAt: ctx.at ?? sql`now()`, version: row.version + 1 })
    .where(and(eq(exceptions.id, row.id), eq(exceptions.version, row.version)))
    .returning();
  if (!after)
    throw new Conflict(
      "This exception changed while you were acting on it; reload it and try again",
    );
  await writeAudit(tx, {
    actor: auditActorOf(ctx.actor),
    action,
    target: { type: "exception", id: row.id },
    before: snapshot(row),
    after: { ...snapshot(after), ...extra },
    meta: ctx.meta,
    at: ctx.at,
  });
  return result(after, true);
}

/** An active user whose role may work exceptions, or an error saying why not. */
async function assignable(db: Db, userId: string): Promise<{ id: string; email: string }> {
  const [user] = await db
    .select({ id: users.id, email: users.email, role: users.role, active: users.active })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
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
  const data = parse(AssignInput, input);
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
  const data = parse(CommentInput, input);
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
  const data = parse(Target, input);
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

async function resolveLocked(
  tx: Db,
  ctx: WorkContext,
  target: LockTarget,
  reason: Reason<typeof ResolveReason>,
): Promise<WorkResult> {
  const row = await lockAtVersion(tx, target);
  requireStatus(row, CLOSABLE, "resolve");
  return change(tx, ctx, row, "exception.resolved", {
    status: "resolved",
    closedAt: ctx.at ?? new Date(),
    closedBy: actorUserId(ctx.actor),
    resolutionCode: reason.code,
    resolutionNote: reason.note || null,
  });
}

/** Closes the exception as dealt with, with a reason code and a note (required for "other"). */
export async function resolveException(
  db: Db,
  ctx: WorkContext,
  input: Target & { code: string; note?: string },
): Promise<WorkResult> {
  requireWorker(ctx.actor);
  const target = parse(Target, input);
  const reason = parse(ResolveReason, input);
  return db.transaction((tx) => resolveLocked(tx, ctx, target, reason));
}

async function dismissLocked(
  tx: Db,
  ctx: WorkContext,
  target: LockTarget,
  reason: Reason<typeof DismissReason>,
): Promise<WorkResult> {
  const row = await lockAtVersion(tx, target);
  requireStatus(row, CLOSABLE, "dismiss");
  return change(tx, ctx, row, "exception.dismissed", {
    status: "dismissed",
    closedAt: ctx.at ?? new Date(),
    closedBy: actorUserId(ctx.actor),
    resolutionCode: reason.code,
    resolutionNote: reason.note,
  });
}

/** Closes the exception as needing no action, with a reason code and a note saying why. */
export async function dismissException(
  db: Db,
  ctx: WorkContext,
  input: Target & { code: string; note: string },
): Promise<WorkResult> {
  requireWorker(ctx.actor);
  const target = parse(Target, input);
  const reason = parse(DismissReason, input);
  return db.transaction((tx) => dismissLocked(tx, ctx, target, reason));
}

/** Opens a resolved or dismissed exception again; it keeps its owner. */
export async function reopenException(
  db: Db,
  ctx: WorkContext,
  input: Target & { note?: string },
): Promise<WorkResult> {
  requireWorker(ctx.actor);
  const data = parse(ReopenInput, input);
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
      const target = parse(Target, raw);
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
  const parsed = parse(z.uuid({ message: "is not a user id" }).nullable(), assigneeId);
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
  const parsed = parse(ResolveReason, reason);
  return eachItem(targets, (target) =>
    db.transaction((tx) => resolveLocked(tx, ctx, target, parsed)),
  );
}

export async function bulkDismiss(
  db: Db,
  ctx: WorkContext,
  targets: readonly Target[],
  reason: { code: string; note: string },
): Promise<BulkItemResult[]> {
  requireWorker(ctx.actor);
  const parsed = parse(DismissReason, reason);
  return eachItem(targets, (target) =>
    db.transaction((tx) => dismissLocked(tx, ctx, target, parsed)),
  );
}
