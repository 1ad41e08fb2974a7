import "server-only";
import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows, firstOrNull } from "../rows";

// One stored event as it arrived, for the links from every drill-down row and exception.

type Timestamp = Date | string;

export interface RawEventRow {
  seq: string;
  source: string;
  event_id: string;
  type: string;
  time: Timestamp;
  received_at: Timestamp;
  subject: string | null;
  data: string;
  attributes: string;
  api_key_id: string | null;
}

/** Whether a stored event has this sequence number. */
export async function eventExists(db: Db, seq: number): Promise<boolean> {
  const rows = await queryRows<{ one: number }>(
    db,
    sql`select 1 as one from events where seq = ${seq}`,
  );
  return rows.length > 0;
}

/** jsonb columns come back as text, so both drivers hand over the same thing. */
export async function findRawEvent(db: Db, seq: number): Promise<RawEventRow | null> {
  return firstOrNull(
    queryRows<RawEventRow>(
      db,
      sql`select e.seq::text as seq, e.source, e.event_id, e.type, e.time, e.received_at, e.subject,
          e.data::text as data, e.attributes::text as attributes, e.api_key_id::text as api_key_id
        from events e where e.seq = ${seq}`,
    ),
  );
}
