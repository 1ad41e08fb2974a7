import type { ListEventsQuery } from "@/lib/events/list";
import {
  CSV_DATA_COLUMNS,
  CSV_ENVELOPE_COLUMNS,
  CSV_MAX_BYTES,
  CSV_MAX_ROWS,
  CSV_REQUIRED_COLUMNS,
} from "@/lib/ingest/csv";
import { MAX_BATCH_EVENTS, MAX_BODY_BYTES } from "@/lib/ingest/request";
import { WRITE_RATE } from "@/lib/http/write-limit";

/*
 * What the ingestion endpoints accept and refuse, in words built from the limits that enforce
 * them: said once for the OpenAPI document and docs/ingestion.md alike.
 */

/** `5 MB (5,242,880 bytes)`: the round figure for people, the exact one for code. */
export function describeBytes(bytes: number): string {
  return `${bytes / (1024 * 1024)} MB (${bytes.toLocaleString("en-US")} bytes)`;
}

/** Error answers every authenticated endpoint can give. */
export const COMMON_ERRORS = {
  401: "No API key, or an unknown or revoked one",
  403: "The API key lacks the scope this endpoint needs",
  500: "An unexpected error; the message never reveals internals",
  503: "The database is unavailable; retry after the Retry-After header's seconds",
} as const;

export const INGEST_ERRORS = {
  400: `The body as a whole is unusable: not JSON, not an event or an array of events, an empty array or more than ${MAX_BATCH_EVENTS.toLocaleString("en-US")} events. Kept with the reason, like rejected events`,
  413: `The body is larger than ${describeBytes(MAX_BODY_BYTES)}`,
  415: "The Content-Type is not application/cloudevents+json, application/json or application/cloudevents-batch+json",
  429: "The key sends faster than its rate (CLOSELINE_INGEST_RATE_PER_KEY, with a burst of CLOSELINE_INGEST_BURST_PER_KEY); retry after the Retry-After header's seconds",
} as const;

export const CSV_UPLOAD_ERRORS = {
  400: `The file as a whole is unusable: empty, not CSV, header columns unknown, missing or repeated, a row with the wrong number of values, more than ${CSV_MAX_ROWS.toLocaleString("en-US")} rows, or no "file" field in a form`,
  413: `The file is larger than ${describeBytes(CSV_MAX_BYTES)}`,
  415: "The Content-Type is not text/csv or multipart/form-data",
  429: `More than ${WRITE_RATE.perSecond} writes per second (bursts of ${WRITE_RATE.burst}) from one person or API key; retry after the Retry-After header's seconds`,
} as const;

export const QUERY_DESCRIPTIONS: Record<keyof typeof ListEventsQuery.shape, string> = {
  type: "Only events of this type",
  source: "Only events from this source",
  from: "Only events whose `time` is at or after this instant",
  to: "Only events whose `time` is before this instant",
  cursor: "The `nextCursor` of the previous page",
  limit: "Events per page",
};
export const CSV_DESCRIPTION = [
  `A header row, then one row per compared key. Columns: ${CSV_DATA_COLUMNS.join(", ")}`,
  `(required: ${CSV_REQUIRED_COLUMNS.join(", ")}), optionally ${Object.keys(CSV_ENVELOPE_COLUMNS).join(", ")}.`,
  `Each row is validated as a reconciliation.result event. The UI uploads with the signed-in user's session instead of a key. At most ${CSV_MAX_ROWS.toLocaleString("en-US")} rows and ${describeBytes(CSV_MAX_BYTES)}.`,
].join(" ");
