import "server-only";
import { and, asc, eq, gt, gte, lt, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { events } from "../schema";

export interface ListEventsParams {
  type?: string;
  source?: string;
  from?: Date;
  to?: Date;
  /** The last row of the previous page: its `timeKey` (exact to the microsecond) and seq. */
  after?: { timeKey: string; seq: number };
  limit: number;
}

/**
 * The event's time as PostgreSQL holds it, to the microsecond, in UTC. A cursor carries this
 * rather than the millisecond Date, so a row stored with microseconds (before instants were
 * cut to the millisecond at the door) is neither repeated nor skipped.
 */
const eventTimeKey = sql<string>`to_char(${events.time} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Keyset pagination on (time, seq): stable while new events arrive, fast at any depth. */
export async function listEvents(db: Db, params: ListEventsParams) {
  const filters: (SQL | undefined)[] = [
    params.type ? eq(events.type, params.type) : undefined,
    params.source ? eq(events.source, params.source) : undefined,
    params.from ? gte(events.time, params.from) : undefined,
    params.to ? lt(events.time, params.to) : undefined,
    params.after
      ? or(
          gt(events.time, sql`${params.after.timeKey}::timestamptz`),
          and(
            eq(events.time, sql`${params.after.timeKey}::timestamptz`),
            gt(events.seq, params.after.seq),
          ),
        )
      : undefined,
  ];
  return db
    .select({
      seq: events.seq,
      source: events.source,
      id: events.eventId,
      type: events.type,
      time: events.time,
      timeKey: eventTimeKey,
      receivedAt: events.receivedAt,
      subject: events.subject,
      data: events.data,
      attributes: events.attributes,
      apiKeyId: events.apiKeyId,
    })
    .from(events)
    .where(and(...filters))
    .orderBy(asc(events.time), asc(events.seq))
    .limit(params.limit);
}
