import { InvalidInput, UnsupportedMediaType } from "@/lib/errors";
import { decodeUtf8, readBodyCapped } from "@/lib/http/body";

export const MAX_BATCH_EVENTS = 1000;
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

const SINGLE_TYPES = ["application/cloudevents+json", "application/json"];
const BATCH_TYPE = "application/cloudevents-batch+json";

export type ParsedBody =
  { ok: true; items: unknown[] } | { ok: false; text: string; reason: string };

/**
 * Turns a POST /api/v1/events body into a list of items to validate one by one. Structural
 * problems (not JSON, not an event or array, too many events) fail the whole request; the
 * caller keeps the raw text of such a body.
 */
export async function readEventsBody(request: Request): Promise<ParsedBody> {
  const mediaType = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (mediaType && !SINGLE_TYPES.includes(mediaType) && mediaType !== BATCH_TYPE) {
    throw new UnsupportedMediaType(
      `Content-Type must be ${[...SINGLE_TYPES, BATCH_TYPE].join(", ")}; got ${mediaType.slice(0, 100)}`,
    );
  }
  const text = decodeUtf8(await readBodyCapped(request, MAX_BODY_BYTES));
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return { ok: false, text, reason: `body: not valid JSON (${(error as Error).message})` };
  }
  if (Array.isArray(body)) {
    if (body.length === 0) return { ok: false, text, reason: "body: the batch is empty" };
    if (body.length > MAX_BATCH_EVENTS) {
      return {
        ok: false,
        text,
        reason: `body: a batch holds at most ${MAX_BATCH_EVENTS} events; got ${body.length}`,
      };
    }
    return { ok: true, items: body };
  }
  if (mediaType === BATCH_TYPE) {
    return { ok: false, text, reason: `body: ${BATCH_TYPE} must be a JSON array of events` };
  }
  if (typeof body === "object" && body !== null) return { ok: true, items: [body] };
  return { ok: false, text, reason: "body: must be a CloudEvent object or an array of them" };
}

export function assertParsed(parsed: ParsedBody): asserts parsed is { ok: true; items: unknown[] } {
  if (!parsed.ok) throw new InvalidInput(parsed.reason);
}
