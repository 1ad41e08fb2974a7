"use server";

import { z } from "zod";
import { getDb } from "@/db";
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

export async function retryExceptionAction(input: {
  exceptionId: string;
}): Promise<ActionResult<RetryOutcome>> {
  return runAction(async () => {
    const by = await worker();
    const { exceptionId } = parse(ExceptionRef, input);
    return requestPostingRetry(await getDb(), exceptionId, by);
  });
}

/** Retries the selected failed postings; each gets its own result. */
export async function bulkRetryAction(input: {
  exceptionIds: string[];
}): Promise<ActionResult<BulkRetryResult[]>> {
  return runAction(async () => {
    const by = await worker();
    const { exceptionIds } = parse(
      z.object({
        exceptionIds: z
          .array(z.uuid("Unknown exception"))
          .min(1, "Select at least one exception")
          .max(MAX_BULK),
      }),
      input,
    );
    return requestPostingRetries(await getDb(), exceptionIds, by);
  });
}

/** Retries every retryable member of an incident; each gets its own result. */
export async function retryIncidentAction(input: {
  incidentId: string;
}): Promise<ActionResult<BulkRetryResult[]>> {
  return runAction(async () => {
    const by = await worker();
    const { incidentId } = parse(z.object({ incidentId: z.uuid("Unknown incident") }), input);
    return requestIncidentRetry(await getDb(), incidentId, by);
  });
}

export async function replayRejectedEventAction(input: {
  id: number;
}): Promise<ActionResult<ReplayResult>> {
  return runAction(async () => {
    const by = await worker();
    const { id } = parse(RejectedRef, input);
    return replayRejectedEvent(await getDb(), id, by);
  });
}

export async function dismissRejectedEventAction(input: {
  id: number;
  reason: string;
}): Promise<ActionResult<undefined>> {
  return runAction(async () => {
    const by = await worker();
    const { id, reason } = parse(RejectedRef.extend({ reason: Reason }), input);
    await dismissRejectedEvent(await getDb(), id, reason, by);
    return undefined;
  });
}

export async function replayRejectedGroupAction(input: {
  exceptionId: string;
}): Promise<ActionResult<ReplayResult[]>> {
  return runAction(async () => {
    const by = await worker();
    const { exceptionId } = parse(ExceptionRef, input);
    return replayRejectedGroup(await getDb(), exceptionId, by);
  });
}

export async function dismissRejectedGroupAction(input: {
  exceptionId: string;
  reason: string;
}): Promise<ActionResult<{ dismissed: number }>> {
  return runAction(async () => {
    const by = await worker();
    const { exceptionId, reason } = parse(ExceptionRef.extend({ reason: Reason }), input);
    return dismissRejectedGroup(await getDb(), exceptionId, reason, by);
  });
}
