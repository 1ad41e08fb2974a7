import { z } from "zod";
import type { Db } from "@/db/client";
import { listEvents } from "@/db/queries/events";
import { EVENT_TYPE_NAMES, Timestamp } from "@/lib/contract";
import { InvalidInput } from "@/lib/errors";
import { decodeCursor, encodeCursor } from "@/lib/pagination";

export const ListEventsQuery = z.object({
  type: z.enum(EVENT_TYPE_NAMES as [string, ...string[]]).optional(),
  source: z.string().min(1).max(500).optional(),
  from: Timestamp.optional(),
  to: Timestamp.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

// A cursor is opaque but still input: its time must be one PostgreSQL can compare with,
// in the exact form db/queries/events.ts writes (UTC, to the microsecond).
const EventCursor = z.object({
  t: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/)
    .refine((t) => Timestamp.safeParse(t).success),
  s: z.int().min(0),
});

export async function listEventsPage(db: Db, searchParams: URLSearchParams) {
  const parsed = ListEventsQuery.safeParse(Object.fromEntries(searchParams));
  if (!parsed.success) {
    throw new InvalidInput(
      "Invalid query",
      parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`),
    );
  }
  const q = parsed.data;
  const after = q.cursor ? decodeCursor(q.cursor, EventCursor) : undefined;
  const rows = await listEvents(db, {
    type: q.type,
    source: q.source,
    from: q.from ? new Date(q.from) : undefined,
    to: q.to ? new Date(q.to) : undefined,
    after: after ? { timeKey: after.t, seq: after.s } : undefined,
    limit: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    events: page.map(({ seq: _seq, timeKey: _timeKey, ...event }) => event),
    nextCursor:
      rows.length > q.limit && last ? encodeCursor({ t: last.timeKey, s: last.seq }) : null,
  };
}
