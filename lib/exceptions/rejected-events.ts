import type { Db } from "@/db/client";
import { findExceptionRow, lockException } from "@/db/queries/exception-workflow";
import {
  NO_REASON,
  UNKNOWN_SOURCE,
  closeRejectedGroupIfHandled,
  listRejectedGroupEvents,
  lockRejectedEvent,
  resolveWaitingGroupEvents,
  resolveWaitingRejectedEvent,
  type RejectionGroupRef,
} from "@/db/queries/rejected-events";
import { writeAudit, type AuditActor, type RequestMeta } from "@/lib/audit";
import { validateCloudEvent } from "@/lib/contract";
import { AppError, Conflict, InvalidInput, NotFound } from "@/lib/errors";
import { checkIfMatch } from "@/lib/http/json-body";
import { ingestItems } from "@/lib/ingest/ingest";

/*
 * What a person does with rejected events: replay one through
 * validation once the cause is fixed (a contract change, a new entity), or dismiss it with a
 * reason. They are grouped into one `event_rejected` exception per source and first reason
 * (lib/exceptions/detect.ts); once every event of a group is handled, the system closes
 * the exception, and new rejections of the same kind reopen it.
 */

export interface ActingUser {
  actor: AuditActor;
  meta?: RequestMeta;
}

export type ReplayResult =
  | { id: number; outcome: "accepted" | "duplicate" }
  | { id: number; outcome: "still_invalid"; errors: string[] }
  | { id: number; outcome: "failed"; error: string };

export const DISMISS_REASON_MAX = 500;
/** A group replay or dismissal handles at most this many events per click. */
export const GROUP_ACTION_LIMIT = 1000;

/**
 * Validates the stored payload again; when it passes now, ingests it as the original sender
 * would have (same key, same channel), marks the rejected event resolved and audits it, all
 * in one transaction. One that still fails is left as it was, and its current errors are
 * returned: a replay must not add a second rejection of the same item.
 */
export async function replayRejectedEvent(
  db: Db,
  id: number,
  by: ActingUser,
): Promise<ReplayResult> {
  return db.transaction(async (tx) => {
    const row = await lockRejectedEvent(tx, id);
    if (!row) throw new NotFound("No such rejected event");
    if (row.resolvedAt)
      throw new Conflict(`The event was already handled (${row.resolution ?? "resolved"})`);
    const validation = validateCloudEvent(row.payload);
    if (!validation.ok) return { id, outcome: "still_invalid", errors: validation.errors };

    const result = await ingestItems(tx, [row.payload], {
      apiKeyId: row.apiKeyId,
      channel: row.channel,
    });
    const outcome = result.accepted === 1 ? "accepted" : "duplicate";
    const resolution = outcome === "accepted" ? "replayed" : "replayed: already stored";
    // Still waiting: the row was locked and checked above.
    await resolveWaitingRejectedEvent(tx, id, resolution);
    await writeAudit(tx, {
      actor: by.actor,
      action: "rejected_event.replayed",
      target: { type: "rejected_event", id: String(id) },
      before: { errors: row.errors, source: row.source, eventId: row.eventId },
      after: {
        resolution,
        source: validation.event.source,
        eventId: validation.event.id,
        type: validation.event.type,
      },
      meta: by.meta,
    });
    await closeRejectedGroupIfHandled(tx, groupOfRow(row));
    return { id, outcome };
  });
}

function parseReason(reason: string): string {
  const trimmed = reason.trim();
  if (!trimmed) throw new InvalidInput("Say why the event is dismissed");
  if (trimmed.length > DISMISS_REASON_MAX)
    throw new InvalidInput(`The reason is limited to ${DISMISS_REASON_MAX} characters`);
  return trimmed;
}

/** Marks a rejected event as not to be replayed, with the reason; audited. */
export async function dismissRejectedEvent(
  db: Db,
  id: number,
  reason: string,
  by: ActingUser,
): Promise<void> {
  const why = parseReason(reason);
  await db.transaction(async (tx) => {
    const row = await resolveWaitingRejectedEvent(tx, id, `dismissed: ${why}`);
    if (!row) throw new Conflict("The event does not exist or was already handled");
    await writeAudit(tx, {
      actor: by.actor,
      action: "rejected_event.dismissed",
      target: { type: "rejected_event", id: String(id) },
      before: { errors: row.errors, source: row.source, eventId: row.eventId },
      after: { resolution: row.resolution },
      meta: by.meta,
    });
    await closeRejectedGroupIfHandled(tx, groupOfRow(row));
  });
}

function groupOfRow(row: { source: string | null; errors: readonly string[] }): RejectionGroupRef {
  return { source: row.source ?? UNKNOWN_SOURCE, reason: row.errors[0] ?? NO_REASON };
}

/**
 * The group an exception stands for. With an expected version (If-Match) the exception is
 * locked and checked at it, so the caller's transaction acts on what the caller saw.
 */
async function groupOf(
  db: Db,
  exceptionId: string,
  expectedVersion: number | null = null,
): Promise<RejectionGroupRef> {
  const x =
    expectedVersion === null
      ? await findExceptionRow(db, exceptionId)
      : await lockException(db, exceptionId);
  if (!x) throw new NotFound("No such exception");
  checkIfMatch(expectedVersion, x.version, "exception");
  const details = x.details as { source?: unknown; reason?: unknown };
  if (
    x.type !== "event_rejected" ||
    typeof details.source !== "string" ||
    typeof details.reason !== "string"
  ) {
    throw new InvalidInput("Only a rejected-events exception has events to replay or dismiss");
  }
  return { source: details.source, reason: details.reason };
}

/** The events of an `event_rejected` exception still waiting for someone, oldest first. */
export async function listGroupEvents(
  db: Db,
  exceptionId: string,
  params: { limit?: number; includeHandled?: boolean } = {},
) {
  const group = await groupOf(db, exceptionId);
  return listRejectedGroupEvents(db, group, {
    limit: Math.min(params.limit ?? 100, GROUP_ACTION_LIMIT),
    includeHandled: params.includeHandled,
  });
}

/** Replays each waiting event of the group, each on its own, with its own result. */
export async function replayRejectedGroup(
  db: Db,
  exceptionId: string,
  by: ActingUser,
  /** The version the caller saw (If-Match), checked under the row lock before replaying; null: any. */
  expectedVersion: number | null = null,
): Promise<ReplayResult[]> {
  // Each event replays in its own transaction (one bad event must not undo the others), so
  // the version is checked once, under the lock, before the first.
  if (expectedVersion !== null)
    await db.transaction((tx) => groupOf(tx, exceptionId, expectedVersion));
  const events = await listGroupEvents(db, exceptionId, { limit: GROUP_ACTION_LIMIT });
  const results: ReplayResult[] = [];
  for (const e of events) {
    try {
      results.push(await replayRejectedEvent(db, e.id, by));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      results.push({ id: e.id, outcome: "failed", error: error.message });
    }
  }
  return results;
}

/** Dismisses every waiting event of the group with one reason, in one transaction and one audit entry. */
export async function dismissRejectedGroup(
  db: Db,
  exceptionId: string,
  reason: string,
  by: ActingUser,
  /** The version the caller saw (If-Match), checked under the row lock; null: any. */
  expectedVersion: number | null = null,
): Promise<{ dismissed: number }> {
  const why = parseReason(reason);
  return db.transaction(async (tx) => {
    const group = await groupOf(tx, exceptionId, expectedVersion);
    const rows = await resolveWaitingGroupEvents(tx, group, `dismissed: ${why}`);
    if (rows.length === 0) throw new Conflict("No event of this group is waiting");
    await writeAudit(tx, {
      actor: by.actor,
      action: "rejected_event.dismissed",
      target: { type: "exception", id: exceptionId },
      before: { source: group.source, reason: group.reason },
      after: {
        resolution: `dismissed: ${why}`,
        count: rows.length,
        rejectedEventIds: rows.slice(0, 100).map((r) => r.id),
      },
      meta: by.meta,
    });
    await closeRejectedGroupIfHandled(tx, group);
    return { dismissed: rows.length };
  });
}
