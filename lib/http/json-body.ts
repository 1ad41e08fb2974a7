import { InvalidInput, PreconditionFailed, UnsupportedMediaType } from "@/lib/errors";
import { decodeUtf8, readBodyCapped } from "./body";

/** A write's JSON body is small: a reason, a note, at most a bulk list of ids. */
export const MAX_JSON_BODY_BYTES = 256 * 1024;

/**
 * Reads a write's JSON body: none at all is `{}` (an action without fields, like start),
 * anything else must be sent as application/json (415) and parse as a JSON object (400).
 * Answers the raw text too, so an idempotent replay can compare requests byte for byte.
 */
export async function readJsonObject(
  request: Request,
): Promise<{ body: Record<string, unknown>; raw: string }> {
  const raw = decodeUtf8(await readBodyCapped(request, MAX_JSON_BODY_BYTES));
  if (raw.trim() === "") return { body: {}, raw: "" };
  const type = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json") {
    throw new UnsupportedMediaType("Send the body as application/json");
  }
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new InvalidInput("The body is not valid JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new InvalidInput("The body must be a JSON object");
  }
  return { body: body as Record<string, unknown>, raw };
}

/**
 * The version an If-Match header names: `"3"` (as the ETag is sent), `W/"3"` or `3`; `*`
 * or no header means "whatever the version is". Anything else is a 400, not a silent pass.
 */
export function ifMatchVersion(request: Request): number | null {
  const header = request.headers.get("if-match")?.trim();
  if (!header || header === "*") return null;
  const match = header.match(/^(?:W\/)?"?(\d{1,9})"?$/);
  if (!match) throw new InvalidInput(`If-Match must be a version as the ETag gives it, like "3"`);
  return Number(match[1]);
}

/** Refuses the write when the item is no longer at the version the caller saw. */
export function checkIfMatch(expected: number | null, current: number, what: string): void {
  if (expected !== null && expected !== current) {
    throw new PreconditionFailed(
      `The ${what} changed since you read it (If-Match "${expected}", it is now at version ${current}); read it again`,
      { currentVersion: current },
    );
  }
}

export const etag = (version: number) => `"${version}"`;
