"use server";

import { getDb } from "@/db";
import { requirePermission } from "@/lib/auth/session";
import type { BulkRequest } from "@/lib/exceptions/bulk";
import { InvalidInput } from "@/lib/errors";
import { runAction, type ActionResult } from "@/lib/http/action-result";
import { actionMeta } from "@/lib/server/request-meta";
import {
  assignException,
  bulkAssign,
  bulkDismiss,
  bulkResolve,
  commentOnException,
  dismissException,
  reopenException,
  resolveException,
  startException,
  type BulkItemResult,
  type Target,
  type WorkContext,
  type WorkResult,
} from "@/lib/exceptions/workflow";

/*
 * The queue's and the detail view's actions. Server actions are public endpoints: each
 * checks the session's permission here, and the workflow checks the role again and parses
 * the input, so a hand-made request gets no further than the form would.
 */

async function context(): Promise<WorkContext> {
  const user = await requirePermission("exceptions:work");
  return { actor: user, meta: await actionMeta() };
}

export async function assignAction(
  input: Target & { assigneeId: string | null },
): Promise<ActionResult<WorkResult>> {
  return runAction(async () => assignException(await getDb(), await context(), input));
}

export async function commentAction(
  input: Target & { body: string },
): Promise<ActionResult<WorkResult>> {
  return runAction(async () => commentOnException(await getDb(), await context(), input));
}

export async function startAction(input: Target): Promise<ActionResult<WorkResult>> {
  return runAction(async () => startException(await getDb(), await context(), input));
}

export async function resolveAction(
  input: Target & { code: string; note?: string },
): Promise<ActionResult<WorkResult>> {
  return runAction(async () => resolveException(await getDb(), await context(), input));
}

export async function dismissAction(
  input: Target & { code: string; note: string },
): Promise<ActionResult<WorkResult>> {
  return runAction(async () => dismissException(await getDb(), await context(), input));
}

export async function reopenAction(
  input: Target & { note?: string },
): Promise<ActionResult<WorkResult>> {
  return runAction(async () => reopenException(await getDb(), await context(), input));
}

/** One action over the selected rows; every row gets its own result. */
export async function bulkAction(request: BulkRequest): Promise<ActionResult<BulkItemResult[]>> {
  return runAction(async () => {
    const ctx = await context();
    const db = await getDb();
    const items = Array.isArray(request?.items) ? request.items : [];
    switch (request?.action) {
      case "assign":
        return bulkAssign(db, ctx, items, request.assigneeId ?? null);
      case "resolve":
        return bulkResolve(db, ctx, items, { code: request.code, note: request.note });
      case "dismiss":
        return bulkDismiss(db, ctx, items, { code: request.code, note: request.note });
      default:
        throw new InvalidInput("Unknown bulk action");
    }
  });
}
