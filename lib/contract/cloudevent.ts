import { z } from "zod";
import { EVENT_TYPE_NAMES, EVENT_TYPES, isEventType, type EventType } from "./event-types";
import { Identifier, Timestamp } from "./primitives";
import { unstorableReasons } from "./storable";

/** CloudEvents 1.0 structured-mode envelope. Unknown attributes (extensions) are kept. */
export const CloudEventEnvelope = z.looseObject({
  specversion: z.literal("1.0", { error: 'must be "1.0"' }),
  id: Identifier,
  source: z.string().min(1, "must not be empty").max(500, "must be at most 500 characters"),
  type: z.string().min(1, "must not be empty").max(200),
  time: Timestamp,
  subject: z.string().max(500).optional(),
  datacontenttype: z.string().optional(),
  dataschema: z.string().optional(),
  // Required per type in validateCloudEvent, which says so in words a sender understands.
  data: z.unknown().optional(),
});

/** Attributes with columns of their own; everything else on the envelope is kept as-is. */
const ENVELOPE_COLUMNS = new Set([
  "specversion",
  "id",
  "source",
  "type",
  "time",
  "subject",
  "data",
  "data_base64",
]);

/** JSON, or a JSON-based type such as application/cloudevents+json (RFC 6839 "+json"). */
export function isJsonMediaType(mediaType: string): boolean {
  const type = mediaType.split(";")[0]!.trim().toLowerCase();
  return type === "application/json" || type.endsWith("+json");
}

/**
 * The data an event carries as `data_base64` (CloudEvents JSON format 3.1.1): every
 * Closeline event type takes a JSON object, so the bytes must be JSON text, and
 * `datacontenttype`, when given, must say so.
 */
function dataFromBase64(
  encoded: unknown,
  contentType: unknown,
): { ok: true; data: unknown } | { ok: false; reason: string } {
  if (typeof encoded !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) {
    return { ok: false, reason: "data_base64: must be a base64 string" };
  }
  if (typeof contentType === "string" && !isJsonMediaType(contentType)) {
    return {
      ok: false,
      reason: `data_base64: Closeline events carry JSON data; datacontenttype is ${contentType.slice(0, 100)}`,
    };
  }
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(encoded, "base64"));
    return { ok: true, data: JSON.parse(text) };
  } catch {
    return { ok: false, reason: "data_base64: does not decode to JSON text" };
  }
}

export interface ValidEvent {
  source: string;
  id: string;
  type: EventType;
  time: string;
  subject: string | null;
  data: Record<string, unknown>;
  attributes: Record<string, unknown>;
}

export type ValidationResult =
  | { ok: true; event: ValidEvent }
  | { ok: false; errors: string[]; source: string | null; id: string | null; type: string | null };

/** `data.amountMinor: must not be negative` — the field path a sender can find in their payload. */
function formatIssues(issues: z.core.$ZodIssue[], prefix: string[] = []): string[] {
  return issues.map((issue) => {
    const field = [...prefix, ...issue.path.map(String)].join(".") || "(event)";
    return `${field}: ${issue.message}`;
  });
}

function stringOrNull(value: unknown): string | null {
  return typeof value === "string" && value.length > 0 ? value.slice(0, 500) : null;
}

export function validateCloudEvent(item: unknown): ValidationResult {
  if (typeof item !== "object" || item === null || Array.isArray(item)) {
    return {
      ok: false,
      errors: ["(event): must be a JSON object"],
      source: null,
      id: null,
      type: null,
    };
  }
  const raw = item as Record<string, unknown>;
  const identity = {
    source: stringOrNull(raw.source),
    id: stringOrNull(raw.id),
    type: stringOrNull(raw.type),
  };

  const envelope = CloudEventEnvelope.safeParse(item);
  const errors = envelope.success ? [] : formatIssues(envelope.error.issues);
  // Valid JSON that PostgreSQL would refuse fails this event alone, not the whole batch.
  errors.push(...unstorableReasons(item));

  const type = typeof raw.type === "string" ? raw.type : null;
  if (type !== null && type.length > 0 && !isEventType(type)) {
    errors.push(
      `type: unknown event type "${type.slice(0, 200)}"; expected one of ${EVENT_TYPE_NAMES.join(", ")}`,
    );
  }
  let rawData = raw.data;
  if (raw.data_base64 !== undefined) {
    const decoded = dataFromBase64(raw.data_base64, raw.datacontenttype);
    if (raw.data !== undefined) errors.push("data_base64: must not be sent together with data");
    else if (decoded.ok) rawData = decoded.data;
    else errors.push(decoded.reason);
  }
  let data: Record<string, unknown> | null = null;
  if (type !== null && isEventType(type)) {
    const parsedData = EVENT_TYPES[type].data.safeParse(rawData);
    if (parsedData.success) data = parsedData.data as Record<string, unknown>;
    else if (rawData === undefined) {
      if (raw.data_base64 === undefined) errors.push(`data: is required for ${type}`);
    } else errors.push(...formatIssues(parsedData.error.issues, ["data"]));
  }

  if (
    errors.length > 0 ||
    !envelope.success ||
    data === null ||
    type === null ||
    !isEventType(type)
  ) {
    return { ok: false, errors: dedupe(errors), ...identity };
  }
  // fromEntries defines own properties, so a "__proto__" attribute stays plain data.
  const extensions = Object.keys(envelope.data).filter((key) => !ENVELOPE_COLUMNS.has(key));
  const attributes = Object.fromEntries(
    extensions.map((key) => [key, (envelope.data as Record<string, unknown>)[key]]),
  );
  return {
    ok: true,
    event: {
      source: envelope.data.source,
      id: envelope.data.id,
      type,
      time: envelope.data.time,
      subject: envelope.data.subject ?? null,
      data,
      attributes,
    },
  };
}

function dedupe(errors: string[]): string[] {
  return [...new Set(errors)];
}
