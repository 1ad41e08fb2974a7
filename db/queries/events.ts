import { and, asc, eq, gt, gte, lt, or, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { events } from "../schema";

export interface ListEventsParams {
  type?: string;
  source?: string;
  from?: Date;
  to?: Date;
  after?: { time: Date; seq: number };
  limit: number;
}

/** Keyset pagination on (time, seq): stable while new events arrive, fast at any depth. */
export async function listEvents(db: Db, params: ListEventsParams) {
  const filters: (SQL | undefined)[] = [
    params.type ? eq(events.type, params.type) : undefined,
    params.source ? eq(events.source, params.source) : undefined,
    params.from ? gte(events.time, params.from) : undefined,
    params.to ? lt(events.time, params.to) : undefined,
    params.after
      ? or(
          gt(events.time, params.after.time),
          and(eq(events.time, params.after.time), gt(events.seq, params.after.seq)),
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
