import { ListEventsQuery, MAX_EVENT_PAGE_BYTES } from "@/lib/events/list";
import {
  CSV_DATA_COLUMNS,
  CSV_DEFAULT_SOURCE,
  CSV_ENVELOPE_COLUMNS,
  CSV_MAX_BYTES,
  CSV_MAX_ROWS,
  CSV_REQUIRED_COLUMNS,
} from "@/lib/ingest/csv";
import { MAX_BATCH_EVENTS, MAX_BODY_BYTES } from "@/lib/ingest/request";
import {
  COMMON_ERRORS,
  CSV_UPLOAD_ERRORS,
  INGEST_ERRORS,
  QUERY_DESCRIPTIONS,
  describeBytes,
} from "./endpoint-descriptions";
import { EVENT_TYPES, EVENT_TYPE_NAMES, type EventType } from "./event-types";
import {
  exampleBatch,
  exampleCsv,
  exampleCsvUploadResponse,
  exampleEvent,
  exampleIngestResponse,
} from "./examples";
import { crossFieldRules, toJsonSchema, typedEventSchema } from "./json-schema";
import { ApiError, CsvUploadResponse, EventListResponse, IngestResponse } from "./responses";
import {
  code,
  fieldRows,
  fieldTable,
  json,
  sentence,
  table,
  type JsonSchema,
} from "./schema-markdown";

/*
 * docs/ingestion.md, rendered from the contract (npm run docs:contract writes it;
 * tests/contract/docs.test.ts fails when the committed file differs). Prose lives here;
 * every field, limit, status code and example comes from the code that enforces it.
 */

export const INGESTION_DOC_PATH = "docs/ingestion.md";
function curlJson(contentType: string, body: unknown): string {
  return [
    "```sh",
    `curl -sS "$CLOSELINE_URL/api/v1/events" \\`,
    `  -H "Authorization: Bearer $CLOSELINE_API_KEY" \\`,
    `  -H "Content-Type: ${contentType}" \\`,
    `  --data-binary @- <<'EOF'`,
    JSON.stringify(body, null, 2),
    "EOF",
    "```",
  ].join("\n");
}

function statusTable(errors: Record<number, string>, ok: string): string {
  const rows = Object.entries({ ...errors, ...COMMON_ERRORS })
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([status, meaning]) => [status, sentence(meaning)]);
  return table(["Status", "Meaning"], [["200", ok], ...rows]);
}

function envelopeSection(): string {
  const schema = toJsonSchema(typedEventSchema(EVENT_TYPE_NAMES[0]!)) as JsonSchema;
  const rows = fieldRows(schema)
    .filter((row) => !row.name.startsWith("data."))
    .map((row) => {
      if (row.name === "type") {
        return { ...row, type: "string", description: "One of the event types below." };
      }
      if (row.name === "data") {
        return { ...row, description: "The payload; its fields depend on `type` (see below)." };
      }
      return row;
    });
  return [
    "## The envelope",
    "",
    "Every event is a [CloudEvents 1.0](https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md) event in structured JSON mode: the attributes and `data` in one JSON object.",
    "",
    fieldTable(rows),
    "",
    "- Attributes not listed here (CloudEvents extensions) are accepted and stored with the event.",
    "- Fields in `data` beyond those a type lists are kept too, not refused.",
    "- An unknown `type` is rejected, with the list of known types in the reason.",
    `- Amounts are integers in the currency's minor units (cents for USD, yen for JPY), never decimals, within ±${Number.MAX_SAFE_INTEGER.toLocaleString("en-US")} so no amount is ever rounded. Currencies are ISO 4217 codes.`,
    "- Times are RFC 3339 with a time zone (`Z` or an offset), e.g. `2026-11-01T10:00:00Z`; `t` and `z` may be lower case. They range from `0001-01-01T00:00:00Z` to `9999-12-31T23:59:59.999Z` and are kept to the millisecond: finer digits are dropped, never rounded, so `23:59:59.9999999Z` stays in its own day. Every time Closeline returns is UTC in this form, and the same precision applies to query bounds (`from`, `to`).",
  ].join("\n");
}

function eventTypeSection(type: EventType): string {
  const dataSchema = EVENT_TYPES[type].data;
  const rules: Record<string, string[]> = {};
  for (const { field, rule } of crossFieldRules(dataSchema)) {
    (rules[field] ??= []).push(`Must ${rule.replace(/^must /, "")}`);
  }
  return [
    `### \`${type}\``,
    "",
    sentence(EVENT_TYPES[type].summary),
    "",
    fieldTable(fieldRows(toJsonSchema(dataSchema) as JsonSchema, rules)),
    "",
    curlJson("application/cloudevents+json", exampleEvent(type)),
  ].join("\n");
}

function csvSection(): string {
  const dataSchema = toJsonSchema(EVENT_TYPES["reconciliation.result"].data) as JsonSchema;
  const rules: Record<string, string[]> = {};
  for (const { field, rule } of crossFieldRules(EVENT_TYPES["reconciliation.result"].data)) {
    (rules[field] ??= []).push(`Must ${rule.replace(/^must /, "")}`);
  }
  const dataRows = fieldRows(dataSchema, rules).filter((row) =>
    (CSV_DATA_COLUMNS as string[]).includes(row.name),
  );
  const columns = [
    ...dataRows.map((row) => [
      code(row.name),
      CSV_REQUIRED_COLUMNS.includes(row.name as (typeof CSV_REQUIRED_COLUMNS)[number])
        ? "yes"
        : "no",
      row.description,
    ]),
    ...Object.entries(CSV_ENVELOPE_COLUMNS).map(([name, description]) => [
      code(name),
      "no",
      sentence(description),
    ]),
  ];
  return [
    "## Uploading reconciliation results as CSV",
    "",
    "`POST /api/v1/reconciliation-results/upload` takes the results of a reconciliation run as a CSV file, with an API key that has the `ingest` scope (the UI uploads as the signed-in user). Send the file as the body with `Content-Type: text/csv`, or as the `file` field of a `multipart/form-data` form.",
    "",
    `Each row becomes a \`reconciliation.result\` event and goes through exactly the same validation as one sent to \`POST /api/v1/events\`; the answer lists every rejected row with its line in the file. A file holds at most ${CSV_MAX_ROWS.toLocaleString("en-US")} rows and ${describeBytes(CSV_MAX_BYTES)}.`,
    "",
    "The first row names the columns, in any order:",
    "",
    table(["Column", "Required", "Description"], columns),
    "",
    "- A column name the contract does not know, a missing required column or a repeated one refuses the whole file with `400`, naming the columns (also in `error.details`).",
    "- An empty cell counts as no value: an optional column takes its default, a required one is reported for that row.",
    "- Integer columns must be plain integers such as `-2500`: `12.50`, `1e3` or `1,250` are rejected with the field's name, never guessed at.",
    `- Rows without an \`id\` get one from a hash of their cells, so uploading the same file again answers every row as a duplicate and changes nothing. Without \`source\`, events come from \`${CSV_DEFAULT_SOURCE}\`.`,
    "- Rows that fail validation are kept like rejected events; a file refused as a whole is kept too.",
    "",
    "An example file:",
    "",
    ["```csv", exampleCsv().trimEnd(), "```"].join("\n"),
    "",
    "```sh",
    `curl -sS "$CLOSELINE_URL/api/v1/reconciliation-results/upload" \\`,
    `  -H "Authorization: Bearer $CLOSELINE_API_KEY" \\`,
    `  -H "Content-Type: text/csv" --data-binary @results.csv`,
    "",
    "# or as a form upload",
    `curl -sS "$CLOSELINE_URL/api/v1/reconciliation-results/upload" \\`,
    `  -H "Authorization: Bearer $CLOSELINE_API_KEY" -F file=@results.csv`,
    "```",
    "",
    "The answer has the same shape as for events, with the line of each rejected row:",
    "",
    json(exampleCsvUploadResponse),
    "",
    fieldTable(fieldRows(toJsonSchema(CsvUploadResponse) as JsonSchema)),
    "",
    statusTable(CSV_UPLOAD_ERRORS, "The file was read; see the per-row outcome."),
  ].join("\n");
}

function readSection(): string {
  const query = toJsonSchema(ListEventsQuery) as JsonSchema;
  const rows = fieldRows({
    ...query,
    properties: Object.fromEntries(
      Object.entries(query.properties ?? {}).map(([name, p]) => [
        name,
        { ...p, description: QUERY_DESCRIPTIONS[name as keyof typeof QUERY_DESCRIPTIONS] },
      ]),
    ),
  });
  return [
    "## Reading events",
    "",
    "`GET /api/v1/events` lists stored events oldest first (by `time`), with an API key that has the `read` scope. Pass the answer's `nextCursor` as `cursor` to get the next page, until it is `null`.",
    "",
    `A page holds at most \`limit\` events and about ${describeBytes(MAX_EVENT_PAGE_BYTES)} of them: when the next event would pass that size the page ends early, with a \`nextCursor\` to the rest (a page always holds at least one event, and one event is at most ${describeBytes(MAX_BODY_BYTES)}, the size of a request). So a page can hold fewer events than \`limit\` and still have a cursor; keep paging until it is \`null\`. The answer is streamed.`,
    "",
    table(
      ["Parameter", "Type", "Description"],
      rows.map((r) => [code(r.name), r.type, r.description]),
    ),
    "",
    "```sh",
    `curl -sS "$CLOSELINE_URL/api/v1/events?type=invoice.issued&from=2026-11-01T00:00:00Z&limit=100" \\`,
    `  -H "Authorization: Bearer $CLOSELINE_API_KEY"`,
    "```",
    "",
    fieldTable(fieldRows(toJsonSchema(EventListResponse) as JsonSchema)),
  ].join("\n");
}

/** The whole document as markdown, before formatting (see scripts/docs-contract.ts). */
export function renderIngestionDoc(): string {
  return [
    "# Ingestion API",
    "",
    "<!-- Generated from lib/contract by `npm run docs:contract`. Edit the schemas or lib/contract/ingestion-doc.ts, not this file. -->",
    "",
    "Closeline learns what happens in usage metering, billing, the ERP and payments from events that those systems send to it. This page is the contract for sending them. The same contract, machine-readable, is served as OpenAPI 3.1 at `GET /api/v1/openapi.json` (no key needed).",
    "",
    "The examples assume:",
    "",
    "```sh",
    "export CLOSELINE_URL=http://localhost:3000",
    "export CLOSELINE_API_KEY=cl_...   # npm run closeline -- api-key create --name billing --scopes ingest",
    "```",
    "",
    "## Sending events",
    "",
    "`POST /api/v1/events` takes one event or a batch:",
    "",
    table(
      ["Body", "Content-Type"],
      [
        ["One event (a JSON object)", "`application/cloudevents+json` or `application/json`"],
        [
          "A batch (a JSON array of events)",
          "`application/cloudevents-batch+json` (or either of the above)",
        ],
        [
          "One event in binary mode: its attributes as `ce-*` headers (`ce-specversion`, `ce-id`, `ce-source`, `ce-type`, `ce-time`, extensions), its data as the body",
          "the data's own type, e.g. `application/json`",
        ],
      ],
    ),
    "",
    `A batch holds at most ${MAX_BATCH_EVENTS.toLocaleString("en-US")} events (an empty batch is answered 200 with nothing accepted), and a body at most ${describeBytes(MAX_BODY_BYTES)}. Every event in a batch is validated on its own: one bad event never blocks the good ones. A request without a Content-Type is refused with 415, unless it is in binary mode.`,
    "",
    "These are the structured and binary modes of the [CloudEvents HTTP binding](https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/bindings/http-protocol-binding.md); the official SDKs' `HTTP.structured` and `HTTP.binary` messages are taken as they are. In binary mode `ce-*` header values are percent-decoded, and the Content-Type becomes the event's `datacontenttype`. In structured mode the data may come as `data_base64` (CloudEvents JSON format) instead of `data`, holding JSON text. A refused binary-mode event is kept as the structured event it stands for, headers included, so it can be replayed. A key named `__proto__`, anywhere in an event, is refused with its path.",
    "",
    "### Authentication",
    "",
    "Send an API key as `Authorization: Bearer <key>`. Sending events needs a key with the `ingest` scope; reading them needs `read`. Keys are created by an operator (`npm run closeline -- api-key create --name NAME --scopes ingest`), shown once, stored only as a hash, and can be revoked; every stored event records the key that sent it.",
    "",
    "### Exactly once",
    "",
    "An event is identified by its `source` and `id` together. The first copy is stored; any later copy (a retry, a replay, two copies racing in concurrent requests, or a repeat inside one batch) is answered as a duplicate and changes nothing, even if its content differs. To correct an event, send a new one with a new `id`.",
    "",
    "### The answer",
    "",
    "A body that could be read as events is answered `200` with the outcome of each item:",
    "",
    json(exampleIngestResponse),
    "",
    fieldTable(fieldRows(toJsonSchema(IngestResponse) as JsonSchema)),
    "",
    "Any other status means no event of the request was stored. Errors have one shape:",
    "",
    json({ error: { code: "unauthenticated", message: "The API key is unknown or revoked" } }),
    "",
    fieldTable(fieldRows(toJsonSchema(ApiError) as JsonSchema)),
    "",
    statusTable(INGEST_ERRORS, "The body was read; see the per-item outcome."),
    "",
    "### Rejected events are kept",
    "",
    "Nothing sent is silently dropped. Every rejected event is stored with its raw payload, the reasons, the API key and the time it arrived, so it can be inspected and replayed once the sender is fixed. A body that could not be read as events at all (not JSON, not an event) is kept the same way.",
    "",
    "No item can take the others down. A batch is stored in one transaction; should the database refuse it for something one item holds (beyond what validation can see: a value out of range, a constraint), the batch is stored again in parts until the refused item is found, and that item alone is answered as rejected, with its index and `could not be stored (reference …)`, and kept with the rejected events; the reference finds the cause in the server's log. Any other failure (the database unreachable or overloaded) says nothing about the items and answers the whole request with an error: send the batch again, and what had been stored is counted as duplicates.",
    "",
    "A batch, for example:",
    "",
    curlJson("application/cloudevents-batch+json", exampleBatch()),
    "",
    envelopeSection(),
    "",
    "## Event types",
    "",
    ...EVENT_TYPE_NAMES.flatMap((type) => [eventTypeSection(type), ""]),
    csvSection(),
    "",
    readSection(),
    "",
  ].join("\n");
}

/** The document as committed: rendered, then formatted the way `npm run lint` checks it. */
export async function generateIngestionDoc(): Promise<string> {
  const prettier = await import("prettier");
  const options = (await prettier.resolveConfig(INGESTION_DOC_PATH)) ?? {};
  return prettier.format(renderIngestionDoc(), { ...options, parser: "markdown" });
}
