import "server-only";
import { and, asc, eq, isNull, sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { firstOrNull } from "../rows";
import { OPEN_STATUS_SQL, rejectedEvents } from "../schema";

/* Rejected events and the `event_rejected` exception that groups them. */

/*
 * A rejected event's group, as detection names it (lib/exceptions/detect.ts): its source (or
 * "(unknown source)") and first error (or "(no reason)").
 */
export const UNKNOWN_SOURCE = "(unknown source)";
export const NO_REASON = "(no reason)";

/** A rejected_events row as raw SQL answers it (bigint ids and instants may come as text). */
export interface RejectedEventSqlRow {
  id: string | number;
  received_at: Date | string;
  source: string | null;
  event_id: string | null;
  type: string | null;
  errors: string[];
}

export interface RejectionGroupRef {
  source: string;
  reason: string;
}

/**
 * Written as plain comparisons where possible, so the partial index on unresolved events by
 * source serves them.
 */
function inGroup(g: RejectionGroupRef, alias = "rejected_events"): SQL {
  const source = sql.raw(`${alias}.source`);
  const firstError = sql.raw(`${alias}.errors[1]`);
  const sourceIs =
    g.source === UNKNOWN_SOURCE ? sql`${source} is null` : sql`${source} = ${g.source}`;
  const reasonIs =
    g.reason === NO_REASON ? sql`${firstError} is null` : sql`${firstError} = ${g.reason}`;
  return sql`(${sourceIs} and ${reasonIs})`;
}

export type RejectedEventRow = typeof rejectedEvents.$inferSelect;

/** The rejected event, locked until the transaction ends: one replay of it at a time. */
export async function lockRejectedEvent(tx: Db, id: number): Promise<RejectedEventRow | null> {
  return firstOrNull(
    tx.select().from(rejectedEvents).where(eq(rejectedEvents.id, id)).for("update"),
  );
}

/** Resolves the event if nobody has yet; null when it does not exist or was handled. */
export async function resolveWaitingRejectedEvent(
  tx: Db,
  id: number,
  resolution: string,
): Promise<RejectedEventRow | null> {
  return firstOrNull(
    tx
      .update(rejectedEvents)
      .set({ resolvedAt: sql`now()`, resolution })
      .where(and(eq(rejectedEvents.id, id), isNull(rejectedEvents.resolvedAt)))
      .returning(),
  );
}

/** The group's events, oldest first; only those still waiting unless `includeHandled`. */
export async function listRejectedGroupEvents(
  db: Db,
  group: RejectionGroupRef,
  params: { limit: number; includeHandled?: boolean },
) {
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
    .limit(params.limit);
}

/** Resolves every waiting event of the group; answers their ids. */
export async function resolveWaitingGroupEvents(
  tx: Db,
  group: RejectionGroupRef,
  resolution: string,
): Promise<{ id: number }[]> {
  return tx
    .update(rejectedEvents)
    .set({ resolvedAt: sql`now()`, resolution })
    .where(and(inGroup(group), isNull(rejectedEvents.resolvedAt)))
    .returning({ id: rejectedEvents.id });
}

/**
 * Closes the group's exception once none of its events waits any more, with its audit entry.
 * Closed by the system (as telemetry closes the others), so recording the same source and
 * reason rejected again reopens it.
 */
export async function closeRejectedGroupIfHandled(db: Db, group: RejectionGroupRef): Promise<void> {
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
