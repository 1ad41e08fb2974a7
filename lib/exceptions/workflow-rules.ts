import { z } from "zod";
import type { Db } from "@/db/client";
import {
  lockException,
  updateExceptionAtVersion,
  type ExceptionChange,
  type ExceptionRow,
} from "@/db/queries/exception-workflow";
import type { ExceptionStatus } from "@/db/schema";
import { writeAudit, type RequestMeta } from "@/lib/audit";
import { actorCan, auditActorOf, isService, type Actor } from "@/lib/auth/actor";
import { Conflict, Forbidden, NotFound, StaleVersion } from "@/lib/errors";

/*
 * What every action on an exception shares (lib/exceptions/workflow.ts): who may act, how
 * input is refused, the row lock at the version the user saw, and the change written with
 * its audit entry.
 */

/** Statuses from which an exception can be worked; closed ones must be reopened first. */
export const WORKABLE: readonly ExceptionStatus[] = ["open", "in_progress"];
/**
 * Statuses from which a person may close an exception. Awaiting confirmation included: the
 * target system's report closes it by itself, but someone who has seen the correction booked
 * (or whose receiver never reports) must not be left unable to.
 */
export const CLOSABLE: readonly ExceptionStatus[] = [...WORKABLE, "awaiting_confirmation"];
export const CLOSED: readonly ExceptionStatus[] = ["resolved", "dismissed"];

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

export const Target = z.object({
  id: z.uuid({ message: "is not an exception id" }),
  version: z.int().min(1, "must be the version you saw"),
});
export type Target = z.input<typeof Target>;

export function requireWorker(actor: WorkActor): void {
  if (!actorCan(actor, "exceptions:work")) {
    throw new Forbidden(
      isService(actor)
        ? "The API key lacks the 'work' scope"
        : "Your role may read exceptions but not work on them",
    );
  }
}

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

export const result = (row: ExceptionRow, changed: boolean): WorkResult => ({
  id: row.id,
  status: row.status,
  ownerId: row.ownerId,
  version: row.version,
  changed,
});

const statusWord = (status: ExceptionStatus) => status.replace("_", " ");

/** Locks the exception for the rest of the transaction and checks it is the version the user saw. */
export async function lockAtVersion(
  tx: Db,
  target: { id: string; version: number },
): Promise<ExceptionRow> {
  const row = await lockException(tx, target.id);
  if (!row) throw new NotFound("No such exception");
  if (row.version !== target.version) {
    throw new StaleVersion(
      `This exception changed since you loaded it (you saw version ${target.version}, it is now at version ${row.version}); reload it and try again`,
      row.version,
    );
  }
  return row;
}

export function requireStatus(
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
export async function change(
  tx: Db,
  ctx: WorkContext,
  row: ExceptionRow,
  action: string,
  set: ExceptionChange,
  extra: Record<string, unknown> = {},
): Promise<WorkResult> {
  const after = await updateExceptionAtVersion(tx, row, set, ctx.at);
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
