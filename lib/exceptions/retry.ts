import type { Db } from "@/db/client";
import {
  findExceptionRow,
  lockException,
  moveExceptionStatus,
} from "@/db/queries/exception-workflow";
import { postingAttemptsInOrder } from "@/db/queries/retry";
import type { CommandStatus } from "@/db/schema";
import { writeAudit, type AuditActor, type RequestMeta } from "@/lib/audit";
import { AppError, Conflict, InvalidInput, NotFound } from "@/lib/errors";
import { checkIfMatch } from "@/lib/http/json-body";
import { commandsForException } from "@/lib/outbox/commands";
import { enqueue, requeueDead } from "@/lib/outbox/enqueue";

/*
 * Retry of a failed ERP posting. Closeline does not post to the ERP: it
 * asks the ERP connector to, through an `erp.posting.retry` command in the outbox, written in
 * the same transaction as the audit entry. The exception then shows "retry requested →
 * delivered → confirmed", where confirmation is the telemetry itself: a later successful
 * attempt of the posting closes the exception (db/queries/exception-sync.ts).
 */

export interface RetryActor {
  /** The person asking, or null for a service key (the audit entry names it). */
  userId: string | null;
  actor: AuditActor;
  meta?: RequestMeta;
}

export type RetryOutcome =
  /** A command was written (or a dead one put back in line). */
  | { exceptionId: string; outcome: "requested"; commandId: string }
  /** Someone asked already for this attempt; their command is still on its way or delivered. */
  | {
      exceptionId: string;
      outcome: "already_requested";
      commandId: string;
      commandStatus: CommandStatus;
    };

export interface PostingRetryPayload extends Record<string, unknown> {
  postingId: string;
  invoiceId: string | null;
  entity: string | null;
  /** The failed attempt the retry follows; the connector reports the next one as telemetry. */
  followsAttempt: number;
  errorCode: string | null;
}

/**
 * Requests a retry of the posting behind an `erp_posting_failed` exception and puts the
 * exception in progress. Two requests for the same failed attempt (two people clicking at
 * once, or one clicking twice) produce one command: its idempotency key names the posting
 * and the attempt it follows. Once that attempt is followed by another failure, a new retry
 * is a new command.
 */
export async function requestPostingRetry(
  db: Db,
  exceptionId: string,
  by: RetryActor,
  /** The version the caller saw (If-Match), checked under the row lock; null: any. */
  expectedVersion: number | null = null,
): Promise<RetryOutcome> {
  return db.transaction(async (tx) => {
    // The row lock orders concurrent requests for one exception; the unique key is what
    // guarantees one command even without it.
    const x = await lockException(tx, exceptionId);
    if (!x) throw new NotFound("No such exception");
    checkIfMatch(expectedVersion, x.version, "exception");
    if (x.type !== "erp_posting_failed")
      throw new InvalidInput("Only a failed ERP posting can be retried");
    if (x.status !== "open" && x.status !== "in_progress") {
      throw new Conflict(
        `The exception is ${x.status.replace("_", " ")}; there is nothing to retry`,
      );
    }
    const details = (x.details ?? {}) as { attempt?: unknown; errorCode?: unknown };
    const followsAttempt = Number(details.attempt);
    if (!x.postingId || !Number.isSafeInteger(followsAttempt)) {
      throw new Conflict("The exception does not name the posting attempt to retry");
    }
    const payload: PostingRetryPayload = {
      postingId: x.postingId,
      invoiceId: x.invoiceId,
      entity: x.entity,
      followsAttempt,
      errorCode: typeof details.errorCode === "string" ? details.errorCode : null,
    };
    const { command, created } = await enqueue(tx, {
      kind: "erp.posting.retry",
      payload,
      idempotencyKey: `erp.posting.retry:${x.postingId}:${followsAttempt}`,
      exceptionId: x.id,
      createdBy: by.userId,
    });

    let resent = false;
    if (!created) {
      // A retry that dead-lettered is asked for again: the same command, sent once more.
      if (command.status !== "dead") {
        return {
          exceptionId,
          outcome: "already_requested",
          commandId: command.id,
          commandStatus: command.status,
        };
      }
      await requeueDead(tx, command.id);
      resent = true;
    }

    await moveExceptionStatus(tx, x.id, "in_progress");
    await writeAudit(tx, {
      actor: by.actor,
      action: "exception.retry_requested",
      target: { type: "exception", id: x.id },
      before: { status: x.status },
      after: {
        status: "in_progress",
        commandId: command.id,
        kind: command.kind,
        followsAttempt,
        ...(resent ? { resent } : {}),
      },
      meta: by.meta,
    });
    return { exceptionId, outcome: "requested", commandId: command.id };
  });
}

export type BulkRetryResult =
  RetryOutcome | { exceptionId: string; outcome: "failed"; error: string };

/**
 * Retries many exceptions, each in its own transaction with its own result: one that cannot
 * be retried (closed meanwhile, not a posting) does not hold back the others.
 */
export async function requestPostingRetries(
  db: Db,
  exceptionIds: readonly string[],
  by: RetryActor,
): Promise<BulkRetryResult[]> {
  const results: BulkRetryResult[] = [];
  for (const exceptionId of new Set(exceptionIds)) {
    try {
      results.push(await requestPostingRetry(db, exceptionId, by));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      results.push({ exceptionId, outcome: "failed", error: error.message });
    }
  }
  return results;
}

export type RetryStepState = "done" | "waiting" | "failed";

export interface RetryProgress {
  commandId: string;
  requestedAt: Date;
  requestedBy: string | null;
  followsAttempt: number | null;
  command: {
    status: CommandStatus;
    attempts: number;
    lastError: string | null;
    nextAttemptAt: Date;
  };
  /** The three steps the exception shows. */
  requested: { state: "done"; at: Date };
  delivered: { state: RetryStepState; at: Date | null; detail: string | null };
  confirmed: { state: RetryStepState; at: Date | null; detail: string | null };
}

/**
 * "retry requested → delivered → confirmed" for each retry of an exception, derived rather
 * than stored: delivery from the outbox, confirmation from the posting attempts that came
 * after the one retried (the first later attempt says whether the retry worked).
 */
export async function retryProgress(db: Db, exceptionId: string): Promise<RetryProgress[]> {
  const x = await findExceptionRow(db, exceptionId);
  if (!x) throw new NotFound("No such exception");
  const commands = (await commandsForException(db, exceptionId)).filter(
    (c) => c.kind === "erp.posting.retry",
  );
  if (commands.length === 0) return [];
  const later = x.postingId ? await postingAttemptsInOrder(db, x.postingId) : [];

  return commands.map((c) => {
    const followsAttempt = Number((c.payload as { followsAttempt?: unknown }).followsAttempt);
    const delivered: RetryProgress["delivered"] =
      c.status === "delivered"
        ? { state: "done", at: c.deliveredAt, detail: null }
        : c.status === "dead"
          ? {
              state: "failed",
              at: null,
              detail: `not delivered after ${c.attempts} attempts: ${c.lastError ?? "unknown error"}`,
            }
          : {
              state: "waiting",
              at: null,
              detail:
                c.attempts > 0
                  ? `attempt ${c.attempts} failed: ${c.lastError ?? "unknown error"}; trying again`
                  : null,
            };
    const next = Number.isSafeInteger(followsAttempt)
      ? later.find((a) => a.attempt > followsAttempt)
      : undefined;
    const confirmed: RetryProgress["confirmed"] = !next
      ? { state: "waiting", at: null, detail: null }
      : next.status === "succeeded"
        ? { state: "done", at: next.attemptedAt, detail: `attempt ${next.attempt} succeeded` }
        : {
            state: "failed",
            at: next.attemptedAt,
            detail: `attempt ${next.attempt} failed: ${next.errorCode ?? "unknown error"}`,
          };
    return {
      commandId: c.id,
      requestedAt: c.createdAt,
      requestedBy: c.createdByEmail,
      followsAttempt: Number.isSafeInteger(followsAttempt) ? followsAttempt : null,
      command: {
        status: c.status,
        attempts: c.attempts,
        lastError: c.lastError,
        nextAttemptAt: c.nextAttemptAt,
      },
      requested: { state: "done", at: c.createdAt },
      delivered,
      confirmed,
    };
  });
}
