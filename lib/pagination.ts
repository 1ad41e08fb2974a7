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
