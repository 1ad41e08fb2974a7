import type { z } from "zod";
import { InvalidInput } from "@/lib/errors";

/** Cursors are opaque to clients: base64url JSON of the last row's sort key. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

export function decodeCursor<T>(cursor: string, schema: z.ZodType<T>): T {
  try {
    return schema.parse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
  } catch {
    throw new InvalidInput("cursor: is not a cursor this API returned");
  }
}

/** The cursor's position, or null when it is not one `schema` reads (a link edited by hand). */
export function cursorOrNull<T>(cursor: string | null | undefined, schema: z.ZodType<T>): T | null {
  if (!cursor) return null;
  try {
    return decodeCursor(cursor, schema);
  } catch {
    return null;
  }
}

/** What a caller asks of a keyset-paginated list: how many, after which cursor. */
export interface PageRequest {
  limit: number;
  cursor?: string | null;
}

/** One page of a keyset-paginated list; `nextCursor` is null on the last. */
export interface CursorPage<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * How a list's position travels in its opaque cursor: `schema` checks the cursor's short keys,
 * `read` turns them into the query's position and `write` the next position back into keys.
 */
export interface CursorCodec<Keys, Position> {
  schema: z.ZodType<Keys>;
  read: (keys: Keys) => Position;
  write: (position: Position) => Keys;
}

/** The page after the caller's cursor, each row as `present` shows it, and the next cursor. */
export async function keysetPage<Keys, Position, Row, Item>(
  page: PageRequest,
  codec: CursorCodec<Keys, Position>,
  list: (query: {
    limit: number;
    cursor: Position | null;
  }) => Promise<{ items: Row[]; next: Position | null }>,
  present: (row: Row) => Item,
): Promise<CursorPage<Item>> {
  const keys = page.cursor ? decodeCursor(page.cursor, codec.schema) : null;
  const { items, next } = await list({ limit: page.limit, cursor: keys && codec.read(keys) });
  return {
    items: items.map(present),
    nextCursor: next ? encodeCursor(codec.write(next)) : null,
  };
}
