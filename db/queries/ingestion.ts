import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";

export interface Range {
  from: Date;
  to: Date;
}

/** Accepted events per type received in the range. */
export async function eventVolumeByType(db: Db, range: Range) {
  const rows = await queryRows<{ type: string; events: string; last_received: Date | string }>(
    db,
    sql`select type, count(*) as events, max(received_at) as last_received
        from events
        where received_at >= ${range.from.toISOString()}::timestamptz and received_at < ${range.to.toISOString()}::timestamptz
        group by type order by type`,
  );
  return rows.map((r) => ({
    type: r.type,
    events: Number(r.events),
    lastReceived: new Date(r.last_received),
  }));
}

/** The newest rejected items, with the reasons the sender was given. */
export async function recentRejections(db: Db, range: Range, limit = 50) {
  const rows = await queryRows<{
    id: string;
    received_at: Date | string;
    channel: string;
    source: string | null;
    event_id: string | null;
    type: string | null;
    errors: string[];
  }>(
    db,
    sql`select id, received_at, channel, source, event_id, type, errors
        from rejected_events
        where received_at >= ${range.from.toISOString()}::timestamptz and received_at < ${range.to.toISOString()}::timestamptz
        order by received_at desc, id desc limit ${limit}`,
  );
  return rows.map((r) => ({ ...r, id: Number(r.id), receivedAt: new Date(r.received_at) }));
}
