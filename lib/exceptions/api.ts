import type { z } from "zod";
import type { Db } from "@/db/client";
import { exceptionVersions, getException } from "@/db/queries/exception-detail";
import { requestMeta } from "@/lib/audit";
import { actorUserId, auditActorOf, type Actor } from "@/lib/auth/actor";
import { actorOf, guardApi } from "@/lib/auth/session";
import { findUserByEmail } from "@/lib/auth/users";
import { BulkBody, EXCEPTION_ACTION_BODIES, type ExceptionAction } from "@/lib/contract/work-api";
import { InvalidInput, NotFound, PreconditionFailed, StaleVersion } from "@/lib/errors";
import { checkIfMatch, etag, ifMatchVersion, readJsonObject } from "@/lib/http/json-body";
import { idempotent } from "@/lib/http/idempotency";
import { handle, json } from "@/lib/http/respond";
import { writeLimiter } from "@/lib/http/write-limit";
import { loadExceptionDetail } from "./detail";
import { dismissRejectedGroup, replayRejectedGroup } from "./rejected-events";
import { requestPostingRetries, requestPostingRetry } from "./retry";
import {
  assignException,
  bulkAssign,
  bulkDismiss,
  bulkResolve,
  commentOnException,
  dismissException,
  resolveException,
  startException,
  type BulkItemResult,
  type WorkContext,
} from "./workflow";
import { parseInput } from "@/lib/parse-input";

/*
 * One exception over HTTP: GET /api/v1/exceptions/{id} and the queue's actions as
 * POST /api/v1/exceptions/{id}/<action>. Each action calls the lib/ function the UI's server
 * action calls, so the rules (role, state, reasons, audit) are the same whoever clicks.
 *
 * Concurrency: every answer carries the exception's version as ETag; a write with
 * If-Match: "<version>" is refused with 412 when the exception is at another version.
 * The workflow actions compare it under their own row lock; retry, replay and
 * dismiss-events compare it just before acting (they take no version of their own).
 */

export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  return parseInput(schema, body, { whole: "body" });
}

/** The exception with its version; a malformed or unknown id is 404, as GitHub answers. */
async function exceptionOr404(db: Db, id: string) {
  const exception = await getException(db, id);
  if (!exception) throw new NotFound("No such exception");
  return exception;
}

export const handleGetException = handle(async (db: Db, request: Request, id: string) => {
  await guardApi(db, request, "GET /api/v1/exceptions/[id]");
  const detail = await loadExceptionDetail(db, id);
  if (!detail) throw new NotFound("No such exception");
  return json(detail, { headers: { etag: etag(detail.exception.version) } });
});

/** The access rule of each action, by the route it is posted to. */
const ACTION_ROUTES = {
  assign: "POST /api/v1/exceptions/[id]/assign",
  start: "POST /api/v1/exceptions/[id]/start",
  comments: "POST /api/v1/exceptions/[id]/comments",
  retry: "POST /api/v1/exceptions/[id]/retry",
  resolve: "POST /api/v1/exceptions/[id]/resolve",
  dismiss: "POST /api/v1/exceptions/[id]/dismiss",
  replay: "POST /api/v1/exceptions/[id]/replay",
  "dismiss-events": "POST /api/v1/exceptions/[id]/dismiss-events",
} as const satisfies Record<ExceptionAction, string>;

interface ActionOutcome {
  status: number;
  /** What the action adds to the exception in the answer (a comment's id, a retry's command). */
  extra: Record<string, unknown>;
}

export const handleExceptionAction = handle(
  async (db: Db, request: Request, id: string, action: ExceptionAction): Promise<Response> => {
    const principal = await guardApi(db, request, ACTION_ROUTES[action]);
    writeLimiter.take(principal);
    const { body, raw } = await readJsonObject(request);
    return idempotent(db, request, principal, raw, async () => {
      const actor = actorOf(principal);
      const expected = ifMatchVersion(request);
      const input = parseBody(EXCEPTION_ACTION_BODIES[action], body);
      const current = await exceptionOr404(db, id);
      checkIfMatch(expected, current.version, "exception");
      let outcome: ActionOutcome;
      try {
        outcome = await perform(
          db,
          actor,
          request,
          action,
          {
            id: current.id,
            version: expected ?? current.version,
            expected,
          },
          input,
        );
      } catch (error) {
        if (error instanceof StaleVersion && expected !== null) {
          throw new PreconditionFailed(error.message, { currentVersion: error.currentVersion });
        }
        throw error;
      }
      const after = await exceptionOr404(db, id);
      return json(
        { exception: after, ...outcome.extra },
        { status: outcome.status, headers: { etag: etag(after.version) } },
      );
    });
  },
);

type IdContext = { params: Promise<{ id: string }> };

/** The route handler of one action, for app/api/v1/exceptions/[id]/<action>/route.ts. */
export function exceptionActionRoute(action: ExceptionAction, getDb: () => Promise<Db>) {
  return async (request: Request, context: IdContext) =>
    handleExceptionAction(await getDb(), request, (await context.params).id, action);
}

async function perform(
  db: Db,
  actor: Actor,
  request: Request,
  action: ExceptionAction,
  /** The version to act at; `expected` is the caller's If-Match alone (null: any). */
  on: { id: string; version: number; expected: number | null },
  input: Record<string, unknown>,
): Promise<ActionOutcome> {
  const meta = requestMeta(request);
  const ctx: WorkContext = { actor, meta };
  const by = { userId: actorUserId(actor), actor: auditActorOf(actor), meta };
  const { id, expected } = on;
  const target = { id, version: on.version };
  const ok = (extra: Record<string, unknown> = {}) => ({ status: 200, extra });
  switch (action) {
    case "assign": {
      const { assignee } = input as z.output<(typeof EXCEPTION_ACTION_BODIES)["assign"]>;
      const user = assignee ? await findUserByEmail(db, assignee) : null;
      if (assignee && !user) throw new InvalidInput(`No user with email ${assignee}`);
      await assignException(db, ctx, { ...target, assigneeId: user?.id ?? null });
      return ok();
    }
    case "start":
      await startException(db, ctx, target);
      return ok();
    case "comments": {
      const { body } = input as z.output<(typeof EXCEPTION_ACTION_BODIES)["comments"]>;
      const done = await commentOnException(db, ctx, { ...target, body });
      return { status: 201, extra: { comment: { id: done.commentId } } };
    }
    case "resolve": {
      const { reason, note } = input as z.output<(typeof EXCEPTION_ACTION_BODIES)["resolve"]>;
      await resolveException(db, ctx, { ...target, code: reason, note });
      return ok();
    }
    case "dismiss": {
      const { reason, note } = input as z.output<(typeof EXCEPTION_ACTION_BODIES)["dismiss"]>;
      await dismissException(db, ctx, { ...target, code: reason, note });
      return ok();
    }
    case "retry":
      return ok({ retry: await requestPostingRetry(db, id, by, expected) });
    case "replay":
      return ok({ replayed: await replayRejectedGroup(db, id, by, expected) });
    case "dismiss-events": {
      const { reason } = input as z.output<(typeof EXCEPTION_ACTION_BODIES)["dismiss-events"]>;
      return ok(await dismissRejectedGroup(db, id, reason, by, expected));
    }
  }
}

/** One item's answer in a bulk request. */
export type BulkResult =
  | { id: string; ok: true; version?: number; changed?: boolean; outcome?: string }
  | { id: string; ok: false; code: string; error: string };

/**
 * POST /api/v1/exceptions/bulk: one action over many exceptions, each in its own
 * transaction with its own result (as the queue's bulk bar does), answered like ingestion:
 * counts and one entry per item. Each item acts on the version it is at when reached.
 */
export const handleBulk = handle(async (db: Db, request: Request) => {
  const principal = await guardApi(db, request, "POST /api/v1/exceptions/bulk");
  writeLimiter.take(principal);
  const { body, raw } = await readJsonObject(request);
  return idempotent(db, request, principal, raw, async () => {
    const input = parseBody(BulkBody, body);
    const actor = actorOf(principal);
    const meta = requestMeta(request);
    const ids = [...new Set(input.ids)];
    const wellFormed = ids.filter((id) => UUID.test(id));
    const versions = await exceptionVersions(db, wellFormed);
    const missing = (id: string): BulkResult => ({
      id,
      ok: false,
      code: "not_found",
      error: "No such exception",
    });
    const known = ids.filter((id) => versions.has(id));
    const targets = known.map((id) => ({ id, version: versions.get(id)! }));
    const ctx: WorkContext = { actor, meta };
    let done: BulkResult[] = [];
    if (targets.length > 0) {
      switch (input.action) {
        case "assign": {
          const user = input.assignee ? await findUserByEmail(db, input.assignee) : null;
          if (input.assignee && !user)
            throw new InvalidInput(`No user with email ${input.assignee}`);
          done = fromWorkflow(await bulkAssign(db, ctx, targets, user?.id ?? null));
          break;
        }
        case "resolve":
          done = fromWorkflow(
            await bulkResolve(db, ctx, targets, { code: input.reason, note: input.note }),
          );
          break;
        case "dismiss":
          done = fromWorkflow(
            await bulkDismiss(db, ctx, targets, { code: input.reason, note: input.note }),
          );
          break;
        case "retry": {
          const by = { userId: actorUserId(actor), actor: auditActorOf(actor), meta };
          done = (await requestPostingRetries(db, known, by)).map((r) =>
            r.outcome === "failed"
              ? { id: r.exceptionId, ok: false, code: "refused", error: r.error }
              : { id: r.exceptionId, ok: true, outcome: r.outcome },
          );
          break;
        }
      }
    }
    const byId = new Map(done.map((r) => [r.id, r]));
    const results = ids.map((id) => byId.get(id) ?? missing(id));
    const succeeded = results.filter((r) => r.ok).length;
    return json({ succeeded, failed: results.length - succeeded, results });
  });
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function fromWorkflow(results: BulkItemResult[]): BulkResult[] {
  return results.map((r) =>
    r.ok
      ? { id: r.id, ok: true, version: r.version, changed: r.changed }
      : { id: r.id, ok: false, code: r.code, error: r.error },
  );
}
