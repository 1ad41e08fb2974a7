import { z } from "zod";
import type { Db } from "@/db/client";
import { listEvents } from "@/db/queries/events";
import { EVENT_TYPE_NAMES, Timestamp } from "@/lib/contract";
import { parseQuery } from "@/lib/parse-input";
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

/**
 * A page stops early, with a cursor to the rest, once its events pass this many bytes of
 * JSON: a page of large events (extensions are kept, so one can be megabytes) must neither
 * exhaust the server's memory nor take minutes.
 */
export const MAX_EVENT_PAGE_BYTES = 4 * 1024 * 1024;
/** Rows read from the database at a time while a page streams out. */
export const EVENT_PAGE_CHUNK_ROWS = 8;

type EventRow = Awaited<ReturnType<typeof listEvents>>[number];

const toCursor = (row: EventRow) => encodeCursor({ t: row.timeKey, s: row.seq });
const toJson = ({ seq: _seq, timeKey: _timeKey, ...event }: EventRow) => JSON.stringify(event);

/**
 * GET /api/v1/events as a stream of JSON: `{"events":[…],"nextCursor":…}`, read from the
 * database a few rows at a time, so memory stays bounded by a few events whatever is stored.
 * The query is parsed and the first rows read before this returns, so a bad request still
 * gets its status; the page ends at `limit` events or MAX_EVENT_PAGE_BYTES (always at least
 * one event), with a cursor when more follow.
 */
export async function streamEventsPage(
  db: Db,
  searchParams: URLSearchParams,
  maxBytes = MAX_EVENT_PAGE_BYTES,
): Promise<ReadableStream<Uint8Array>> {
  const q = parseQuery(ListEventsQuery, searchParams);
  const start = q.cursor ? decodeCursor(q.cursor, EventCursor) : undefined;
  const read = (after: EventRow | undefined, limit: number) =>
    listEvents(db, {
      type: q.type,
      source: q.source,
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
      after: after
        ? { timeKey: after.timeKey, seq: after.seq }
        : start && { timeKey: start.t, seq: start.s },
      limit,
    });

  let rows = await read(undefined, Math.min(EVENT_PAGE_CHUNK_ROWS, q.limit + 1));
  let written = 0;
  let bytes = 0;
  let last: EventRow | undefined;
  const encoder = new TextEncoder();

  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode('{"events":['));
    },
    async pull(controller) {
      const finish = (nextCursor: string | null) => {
        controller.enqueue(encoder.encode(`],"nextCursor":${JSON.stringify(nextCursor)}}`));
        controller.close();
      };
      for (const [index, row] of rows.entries()) {
        const text = toJson(row);
        const size = Buffer.byteLength(text);
        if (written === q.limit || (written > 0 && bytes + size > maxBytes)) {
          return finish(toCursor(last!));
        }
        controller.enqueue(encoder.encode(written > 0 ? `,${text}` : text));
        written++;
        bytes += size;
        last = row;
        // The rest of this chunk is released as it is sent.
        rows[index] = undefined as never;
      }
      const asked = rows.length;
      rows = [];
      if (asked < EVENT_PAGE_CHUNK_ROWS || !last) return finish(null);
      // One more than the page still takes tells whether a cursor is needed.
      rows = await read(last, Math.min(EVENT_PAGE_CHUNK_ROWS, q.limit - written + 1));
      if (rows.length === 0) return finish(null);
    },
  });
}
