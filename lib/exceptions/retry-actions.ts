"use server";

import { z } from "zod";
import { getDb } from "@/db";
import type { Db } from "@/db/client";
import { requirePermission } from "@/lib/auth/session";
import { InvalidInput } from "@/lib/errors";
import { runAction, type ActionResult } from "@/lib/http/action-result";
import { actionMeta, userActor } from "@/lib/server/request-meta";
import {
  dismissRejectedEvent,
  dismissRejectedGroup,
  replayRejectedEvent,
  replayRejectedGroup,
  type ReplayResult,
} from "./rejected-events";
import { requestIncidentRetry } from "./incident-view";
import {
  requestPostingRetries,
  requestPostingRetry,
  type BulkRetryResult,
  type RetryOutcome,
} from "./retry";

/*
 * Server actions for retries and rejected events. Each is a public endpoint: it checks the
 * session's permission itself, then parses its input, then calls lib/ (which writes the
 * audit entry in the same transaction as the change).
 */

const MAX_BULK = 500;

async function worker() {
  const user = await requirePermission("exceptions:work");
  const meta = await actionMeta();
  return { userId: user.id, actor: userActor(user), meta };
}

type Worker = Awaited<ReturnType<typeof worker>>;

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new InvalidInput(parsed.error.issues.map((i) => i.message).join("; "));
  return parsed.data;
}

const ExceptionRef = z.object({ exceptionId: z.uuid("Unknown exception") });
const RejectedRef = z.object({ id: z.coerce.number().int().positive("Unknown rejected event") });
const Reason = z
  .string()
  .trim()
  .min(1, "Say why")
  .max(500, "The reason is limited to 500 characters");

/**
 * The frame of every action here: the worker's permission first, then the input as `schema`
 * reads it, then the change itself.
 */
function asWorker<T, R>(
  schema: z.ZodType<T>,
  input: unknown,
  act: (data: T, db: Db, by: Worker) => Promise<R>,
): Promise<ActionResult<R>> {
  return runAction(async () => {
    const by = await worker();
    const data = parse(schema, input);
    return act(data, await getDb(), by);
  });
}

export async function retryExceptionAction(input: {
  exceptionId: string;
}): Promise<ActionResult<RetryOutcome>> {
  return asWorker(ExceptionRef, input, ({ exceptionId }, db, by) =>
    requestPostingRetry(db, exceptionId, by),
  );
}

const BulkRetryRequest = z.object({
  exceptionIds: z
    .array(z.uuid("Unknown exception"))
    .min(1, "Select at least one exception")
    .max(MAX_BULK),
});

/** Retries the selected failed postings; each gets its own result. */
export async function bulkRetryAction(input: {
  exceptionIds: string[];
}): Promise<ActionResult<BulkRetryResult[]>> {
  return asWorker(BulkRetryRequest, input, ({ exceptionIds }, db, by) =>
    requestPostingRetries(db, exceptionIds, by),
  );
}

const IncidentRef = z.object({ incidentId: z.uuid("Unknown incident") });

/** Retries every retryable member of an incident; each gets its own result. */
export async function retryIncidentAction(input: {
  incidentId: string;
}): Promise<ActionResult<BulkRetryResult[]>> {
  return asWorker(IncidentRef, input, ({ incidentId }, db, by) =>
    requestIncidentRetry(db, incidentId, by),
  );
}

export async function replayRejectedEventAction(input: {
  id: number;
}): Promise<ActionResult<ReplayResult>> {
  return asWorker(RejectedRef, input, ({ id }, db, by) => replayRejectedEvent(db, id, by));
}

export async function dismissRejectedEventAction(input: {
  id: number;
  reason: string;
}): Promise<ActionResult<undefined>> {
  return asWorker(RejectedRef.extend({ reason: Reason }), input, async ({ id, reason }, db, by) => {
    await dismissRejectedEvent(db, id, reason, by);
    return undefined;
  });
}

export async function replayRejectedGroupAction(input: {
  exceptionId: string;
}): Promise<ActionResult<ReplayResult[]>> {
  return asWorker(ExceptionRef, input, ({ exceptionId }, db, by) =>
    replayRejectedGroup(db, exceptionId, by),
  );
}

export async function dismissRejectedGroupAction(input: {
  exceptionId: string;
  reason: string;
}): Promise<ActionResult<{ dismissed: number }>> {
  return asWorker(
    ExceptionRef.extend({ reason: Reason }),
    input,
    ({ exceptionId, reason }, db, by) => dismissRejectedGroup(db, exceptionId, reason, by),
  );
}
