import { and, asc, eq, isNull, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { OPEN_STATUS_SQL, exceptions, rejectedEvents } from "@/db/schema";
import { writeAudit, type AuditActor, type RequestMeta } from "@/lib/audit";
import { validateCloudEvent } from "@/lib/contract";
import { AppError, Conflict, InvalidInput, NotFound } from "@/lib/errors";
import { ingestItems } from "@/lib/ingest/ingest";

/*
 * What a person does with rejected events (issue 5, Actions 1): replay one through
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

/*
 * A rejected event's group, as detect.ts names it: its source (or "(unknown source)") and
 * first error (or "(no reason)"). Written as plain comparisons where possible, so the
 * partial index on unresolved events by source serves them.
 */
const UNKNOWN_SOURCE = "(unknown source)";
const NO_REASON = "(no reason)";

function inGroup(g: RejectionGroupRef, alias = "rejected_events"): SQL {
  const source = sql.raw(`${alias}.source`);
  const firstError = sql.raw(`${alias}.errors[1]`);
  const sourceIs =
    g.source === UNKNOWN_SOURCE ? sql`${source} is null` : sql`${source} = ${g.source}`;
  const reasonIs =
    g.reason === NO_REASON ? sql`${firstError} is null` : sql`${firstError} = ${g.reason}`;
  return sql`(${sourceIs} and ${reasonIs})`;
}

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
    const [row] = await tx
      .select()
      .from(rejectedEvents)
      .where(eq(rejectedEvents.id, id))
      .for("update");
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
    await tx
      .update(rejectedEvents)
      .set({ resolvedAt: sql`now()`, resolution })
      .where(eq(rejectedEvents.id, id));
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
    await closeIfHandled(tx, groupOfRow(row));
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
    const [row] = await tx
      .update(rejectedEvents)
      .set({ resolvedAt: sql`now()`, resolution: `dismissed: ${why}` })
      .where(and(eq(rejectedEvents.id, id), isNull(rejectedEvents.resolvedAt)))
      .returning();
    if (!row) throw new Conflict("The event does not exist or was already handled");
    await writeAudit(tx, {
      actor: by.actor,
      action: "rejected_event.dismissed",
      target: { type: "rejected_event", id: String(id) },
      before: { errors: row.errors, source: row.source, eventId: row.eventId },
      after: { resolution: row.resolution },
      meta: by.meta,
    });
    await closeIfHandled(tx, groupOfRow(row));
  });
}

interface RejectionGroupRef {
  source: string;
  reason: string;
}

function groupOfRow(row: { source: string | null; errors: readonly string[] }): RejectionGroupRef {
  return { source: row.source ?? UNKNOWN_SOURCE, reason: row.errors[0] ?? NO_REASON };
}

async function groupOf(db: Db, exceptionId: string): Promise<RejectionGroupRef> {
  const [x] = await db
    .select({ type: exceptions.type, details: exceptions.details })
    .from(exceptions)
    .where(eq(exceptions.id, exceptionId));
  if (!x) throw new NotFound("No such exception");
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
  return db
    .select({
      id: rejectedEvents.id,
      receivedAt: rejectedEvents.receivedAt,
      source: rejectedEvents.source,
      eventId: rejectedEvents.eventId,
      type: rejectedEvents.type,
      errors: rejectedEvents.errors,
      resolvedAt: rejectedEvents.resolvedAt,
      resolution: rejectedEvents.resolution,
    })
    .from(rejectedEvents)
    .where(
      and(inGroup(group), params.includeHandled ? undefined : isNull(rejectedEvents.resolvedAt)),
    )
    .orderBy(asc(rejectedEvents.receivedAt), asc(rejectedEvents.id))
    .limit(Math.min(params.limit ?? 100, GROUP_ACTION_LIMIT));
}

/** Replays each waiting event of the group, each on its own, with its own result. */
export async function replayRejectedGroup(
  db: Db,
  exceptionId: string,
  by: ActingUser,
): Promise<ReplayResult[]> {
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
): Promise<{ dismissed: number }> {
  const why = parseReason(reason);
  const group = await groupOf(db, exceptionId);
  return db.transaction(async (tx) => {
    const rows = await tx
      .update(rejectedEvents)
      .set({ resolvedAt: sql`now()`, resolution: `dismissed: ${why}` })
      .where(and(inGroup(group), isNull(rejectedEvents.resolvedAt)))
      .returning({ id: rejectedEvents.id });
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
    await closeIfHandled(tx, group);
    return { dismissed: rows.length };
  });
}

/**
 * Closes the group's exception once none of its events waits any more. Closed by the system
 * (as telemetry closes the others), so recordRejectionGroups reopens it when the same
 * source and reason are rejected again.
 */
async function closeIfHandled(db: Db, group: RejectionGroupRef): Promise<void> {
  await db.execute(sql`
    with closed as (
      update exceptions x set status = 'resolved', closed_at = now(), closed_by = 'system',
        resolution_code = 'events_handled', resolution_note = 'Every rejected event of the group was replayed or dismissed',
        updated_at = now(), version = x.version + 1
      where x.type = 'event_rejected' and x.problem_key = ${`${group.source}|${group.reason}`}
        and x.status in ${OPEN_STATUS_SQL}
        and not exists (
          select 1 from rejected_events r where ${inGroup(group, "r")} and r.resolved_at is null
        )
      returning x.id
    )
    insert into audit_log (actor_type, actor_label, action, target_type, target_id, after)
    select 'system', 'closeline', 'exception.closed', 'exception', c.id::text,
      jsonb_build_object('status', 'resolved', 'type', 'event_rejected', 'reason', 'every event of the group was handled')
    from closed c`);
}
