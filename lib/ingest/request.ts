import { UnsupportedMediaType } from "@/lib/errors";
import { decodeUtf8, readBodyCapped } from "@/lib/http/body";
import { isJsonMediaType } from "@/lib/contract";

export const MAX_BATCH_EVENTS = 1000;
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

const SINGLE_TYPES = ["application/cloudevents+json", "application/json"];
const BATCH_TYPE = "application/cloudevents-batch+json";

export type ParsedBody =
  { ok: true; items: unknown[] } | { ok: false; text: string; reason: string };

/** Attributes a binary-mode request carries as `ce-<name>` headers (CloudEvents HTTP binding 3.1.3). */
const ATTRIBUTE_HEADER = /^ce-([a-z0-9]{1,20})$/;

/**
 * A `ce-*` header value, percent-decoded as the HTTP binding asks (3.1.3.2); a value that is
 * not valid percent-encoding is kept as sent, for the validator to judge.
 */
function headerValue(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * A binary-mode request as the structured event it stands for: attributes from the `ce-*`
 * headers, `datacontenttype` from Content-Type, the body as `data` when it is JSON and as
 * `data_base64` otherwise (or when it does not parse), so the validator gives the reason and
 * a rejected event is kept whole, headers included, ready to replay.
 */
function binaryModeEvent(
  headers: Headers,
  contentType: string,
  mediaType: string,
  body: Uint8Array,
) {
  const event: Record<string, unknown> = {};
  headers.forEach((value, name) => {
    const attribute = ATTRIBUTE_HEADER.exec(name.toLowerCase());
    if (attribute) event[attribute[1]!] = headerValue(value);
  });
  if (contentType) event.datacontenttype = contentType;
  if (body.byteLength === 0) return event;
  if (isJsonMediaType(mediaType)) {
    try {
      event.data = JSON.parse(decodeUtf8(body));
      return event;
    } catch {
      // Falls through: kept as bytes, refused by the validator with its reason.
    }
  }
  event.data_base64 = Buffer.from(body).toString("base64");
  return event;
}

/**
 * Turns a POST /api/v1/events body into a list of items to validate one by one.
 *
 * - Binary mode (a `ce-specversion` header): one event, its attributes in `ce-*` headers and
 *   its data in the body, whatever the Content-Type — as the official SDKs send it.
 * - Structured mode: `application/cloudevents+json` (one event), `application/cloudevents-batch+json`
 *   (an array, possibly empty) or plain `application/json` (either).
 *
 * Structural problems (not JSON, not an event or array, too many events) fail the whole
 * request; the caller keeps the raw text of such a body.
 */
export async function readEventsBody(request: Request): Promise<ParsedBody> {
  const contentType = request.headers.get("content-type")?.trim() ?? "";
  const mediaType = contentType.split(";")[0]!.trim().toLowerCase();
  if (request.headers.has("ce-specversion")) {
    const bytes = await readBodyCapped(request, MAX_BODY_BYTES);
    return { ok: true, items: [binaryModeEvent(request.headers, contentType, mediaType, bytes)] };
  }
  if (!SINGLE_TYPES.includes(mediaType) && mediaType !== BATCH_TYPE) {
    throw new UnsupportedMediaType(
      mediaType
        ? `Content-Type must be ${[...SINGLE_TYPES, BATCH_TYPE].join(", ")} (structured mode), or any type with ce-* headers (binary mode); got ${mediaType.slice(0, 100)}`
        : `A Content-Type is required: ${[...SINGLE_TYPES, BATCH_TYPE].join(", ")} (structured mode), or any type with ce-* headers (binary mode)`,
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
    // An empty batch is a valid batch with nothing in it (a sender flushing an empty buffer).
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
