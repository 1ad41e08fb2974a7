import { z } from "zod";
import { ListEventsQuery } from "@/lib/events/list";
import {
  CSV_DATA_COLUMNS,
  CSV_ENVELOPE_COLUMNS,
  CSV_MAX_BYTES,
  CSV_MAX_ROWS,
  CSV_REQUIRED_COLUMNS,
} from "@/lib/ingest/csv";
import { MAX_BATCH_EVENTS, MAX_BODY_BYTES } from "@/lib/ingest/request";
import { CloudEventEnvelope } from "./cloudevent";
import { EVENT_TYPES, EVENT_TYPE_NAMES, type EventType } from "./event-types";
import {
  exampleBatch,
  exampleCsv,
  exampleCsvUploadResponse,
  exampleEvent,
  exampleIngestResponse,
} from "./examples";
import { KpiReport } from "./kpi-report";
import { exampleToExamples, toJsonSchema } from "./json-schema";
import { Timestamp } from "./primitives";
import { ApiError, CsvUploadResponse, EventListResponse, IngestResponse } from "./responses";
import { readApiPaths } from "./read-openapi";
import { WORK_SCHEMAS, workApiPaths } from "./work-openapi";
import { ALERT_SCHEMAS, alertApiPaths } from "./alerts-openapi";

/*
 * GET /api/v1/openapi.json: the machine-readable contract, generated from the same zod
 * schemas that validate requests (z.toJSONSchema, JSON Schema 2020-12 as OpenAPI 3.1 uses).
 * Schemas are converted as *input* types, so a field with a default (toleranceMinor) shows
 * as optional with its default, which is what a sender needs to know.
 */

/** What the envelope attributes mean; the validation rules come from CloudEventEnvelope. */
export const ENVELOPE_DESCRIPTIONS: Record<keyof typeof CloudEventEnvelope.shape, string> = {
  specversion: 'CloudEvents version: always "1.0"',
  id: "Identifies the event within its source. (source, id) is stored once; a repeat is a duplicate",
  source: "The system that produced the event, a URI reference such as urn:acme:billing",
  type: "The event type; decides the shape of data",
  time: "When it happened, RFC 3339 with a time zone",
  subject: "What the event is about within the source (optional)",
  datacontenttype: "Media type of data (optional; data is JSON)",
  dataschema: "URI of the schema data adheres to (optional)",
  data: "The event's payload; its shape depends on type",
};

/**
 * Object-level refinements (rules that relate two fields) have no JSON Schema equivalent, so
 * they are spelled out in descriptions instead. Reads zod's check definitions; the contract
 * tests pin the rules found for each event type, so a zod change that hides them fails loudly.
 */
export function crossFieldRules(schema: z.ZodType): { field: string; rule: string }[] {
  return (schema.def.checks ?? []).flatMap((check) => {
    const def = check._zod.def as { check?: string; path?: PropertyKey[]; error?: unknown };
    if (def.check !== "custom" || !def.path?.length || typeof def.error !== "function") return [];
    const rule = (def.error as (issue: object) => unknown)({});
    return typeof rule === "string" ? [{ field: def.path.map(String).join("."), rule }] : [];
  });
}

/** `usage.checkpoint` → `UsageCheckpointEvent`, the component name of a type's event. */
export function eventComponentName(type: EventType): string {
  return `${type
    .split(/[._]/)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join("")}Event`;
}

/** The envelope of one event type: `type` fixed to it and `data` its schema. */
export function typedEventSchema(type: EventType) {
  const described = Object.fromEntries(
    Object.entries(CloudEventEnvelope.shape).map(([name, schema]) => [
      name,
      schema.meta({
        description: ENVELOPE_DESCRIPTIONS[name as keyof typeof ENVELOPE_DESCRIPTIONS],
      }),
    ]),
  ) as typeof CloudEventEnvelope.shape;
  const data = EVENT_TYPES[type].data;
  const rules = crossFieldRules(data).map(({ field, rule }) => `${field} ${rule}`);
  return CloudEventEnvelope.extend({
    ...described,
    type: z.literal(type).meta({ description: `Always "${type}"` }),
    data: rules.length > 0 ? data.meta({ description: `Also: ${rules.join("; ")}.` }) : data,
  }).meta({
    title: type,
    description: EVENT_TYPES[type].summary,
    examples: [exampleEvent(type)],
  });
}

type JsonObject = Record<string, unknown>;

/** `5 MB (5,242,880 bytes)`: the round figure for people, the exact one for code. */
export function describeBytes(bytes: number): string {
  return `${bytes / (1024 * 1024)} MB (${bytes.toLocaleString("en-US")} bytes)`;
}

function buildComponentSchemas(): Record<string, JsonObject> {
  const registry = z.registry<{ id: string }>();
  const eventSchemas = EVENT_TYPE_NAMES.map((type) => {
    const schema = typedEventSchema(type);
    registry.add(schema, { id: eventComponentName(type) });
    return schema;
  });
  const cloudEvent = z
    .discriminatedUnion("type", eventSchemas as [(typeof eventSchemas)[number]])
    .meta({ description: "A CloudEvent of any type Closeline understands" });
  registry.add(cloudEvent, { id: "CloudEvent" });
  registry.add(z.array(cloudEvent).max(MAX_BATCH_EVENTS), { id: "CloudEventBatch" });
  registry.add(IngestResponse, { id: "IngestResponse" });
  registry.add(CsvUploadResponse, { id: "CsvUploadResponse" });
  registry.add(EventListResponse, { id: "EventListResponse" });
  registry.add(KpiReport, { id: "KpiReport" });
  registry.add(ApiError, { id: "Error" });
  for (const [id, schema] of Object.entries({ ...WORK_SCHEMAS, ...ALERT_SCHEMAS }))
    registry.add(schema, { id });

  const { schemas } = z.toJSONSchema(registry, {
    io: "input",
    uri: (id) => `#/components/schemas/${id}`,
    override: exampleToExamples,
  });
  const components = Object.fromEntries(
    Object.entries(schemas).map(([id, schema]) => {
      const { $schema: _dialect, $id: _id, ...rest } = schema as JsonObject;
      return [id, rest];
    }),
  );
  components.CloudEvent!.discriminator = {
    propertyName: "type",
    mapping: Object.fromEntries(
      EVENT_TYPE_NAMES.map((type) => [type, `#/components/schemas/${eventComponentName(type)}`]),
    ),
  };
  return components;
}

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const jsonContent = (id: string, extra: JsonObject = {}) => ({
  "application/json": { schema: ref(id), ...extra },
});

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
} as const;

export const CSV_UPLOAD_ERRORS = {
  400: `The file as a whole is unusable: empty, not CSV, header columns unknown, missing or repeated, a row with the wrong number of values, more than ${CSV_MAX_ROWS.toLocaleString("en-US")} rows, or no "file" field in a form`,
  413: `The file is larger than ${describeBytes(CSV_MAX_BYTES)}`,
  415: "The Content-Type is not text/csv or multipart/form-data",
} as const;

/** The error answers an endpoint can give, each with the shared error body. */
function errorResponses(meanings: Record<number, string>) {
  return Object.fromEntries(
    Object.entries({ ...meanings, ...COMMON_ERRORS }).map(([status, description]) => [
      status,
      { description, content: jsonContent("Error") },
    ]),
  );
}

export const QUERY_DESCRIPTIONS: Record<keyof typeof ListEventsQuery.shape, string> = {
  type: "Only events of this type",
  source: "Only events from this source",
  from: "Only events whose `time` is at or after this instant",
  to: "Only events whose `time` is before this instant",
  cursor: "The `nextCursor` of the previous page",
  limit: "Events per page",
};

function queryParameters() {
  const schema = toJsonSchema(ListEventsQuery) as { properties: Record<string, JsonObject> };
  return Object.entries(schema.properties).map(([name, property]) => ({
    name,
    in: "query",
    required: false,
    description: QUERY_DESCRIPTIONS[name as keyof typeof QUERY_DESCRIPTIONS],
    schema: property,
  }));
}

export const CSV_DESCRIPTION = [
  `A header row, then one row per compared key. Columns: ${CSV_DATA_COLUMNS.join(", ")}`,
  `(required: ${CSV_REQUIRED_COLUMNS.join(", ")}), optionally ${Object.keys(CSV_ENVELOPE_COLUMNS).join(", ")}.`,
  `Each row is validated as a reconciliation.result event. The UI uploads with the signed-in user's session instead of a key. At most ${CSV_MAX_ROWS.toLocaleString("en-US")} rows and ${describeBytes(CSV_MAX_BYTES)}.`,
].join(" ");

export function buildOpenApiDocument() {
  const singleExamples = Object.fromEntries(
    EVENT_TYPE_NAMES.map((type) => [
      type,
      { summary: EVENT_TYPES[type].summary, value: exampleEvent(type) },
    ]),
  );
  return {
    openapi: "3.1.0",
    info: {
      title: "Closeline API",
      version: "1",
      description:
        "Telemetry ingestion, reads, and the work API (exception actions and corrections, see docs/api.md). Events are CloudEvents 1.0, in structured JSON mode or in binary mode over HTTP; see docs/ingestion.md for a guide.",
    },
    tags: [
      { name: "events" },
      { name: "reconciliation" },
      { name: "kpis" },
      { name: "reads" },
      { name: "exceptions" },
      { name: "corrections" },
      { name: "alerts" },
      { name: "contract" },
    ],
    paths: {
      "/api/v1/events": {
        post: {
          operationId: "ingestEvents",
          tags: ["events"],
          summary: "Send one event or a batch",
          description: `Each event is validated on its own; valid ones are stored exactly once by (source, id) and invalid ones are kept with their reasons. A batch holds at most ${MAX_BATCH_EVENTS.toLocaleString("en-US")} events and ${describeBytes(MAX_BODY_BYTES)}; an empty batch is answered 200 with nothing accepted. Binary mode (CloudEvents HTTP binding): the attributes as ce-* headers (ce-specversion, ce-id, ce-source, ce-type, ce-time, extensions) and the event's data as the body, in any JSON media type.`,
          security: [{ apiKey: ["ingest"] }],
          requestBody: {
            required: true,
            content: {
              "application/cloudevents+json": {
                schema: ref("CloudEvent"),
                examples: singleExamples,
              },
              "application/json": { schema: ref("CloudEvent"), examples: singleExamples },
              "application/cloudevents-batch+json": {
                schema: ref("CloudEventBatch"),
                examples: { batch: { value: exampleBatch() } },
              },
            },
          },
          responses: {
            "200": {
              description:
                "Per-item outcome: accepted, duplicates and rejected items with their errors",
              content: jsonContent("IngestResponse", {
                examples: { mixed: { value: exampleIngestResponse } },
              }),
            },
            ...errorResponses(INGEST_ERRORS),
          },
        },
        get: {
          operationId: "listEvents",
          tags: ["events"],
          summary: "List stored events, oldest first",
          description: "Keyset pagination: follow nextCursor until it is null.",
          security: [{ apiKey: ["read"] }],
          parameters: queryParameters(),
          responses: {
            "200": { description: "A page of events", content: jsonContent("EventListResponse") },
            ...errorResponses({ 400: "A query parameter is invalid" }),
          },
        },
      },
      "/api/v1/reconciliation-results/upload": {
        post: {
          operationId: "uploadReconciliationResults",
          tags: ["reconciliation"],
          summary: "Upload reconciliation results as CSV",
          description: CSV_DESCRIPTION,
          security: [{ apiKey: ["ingest"] }],
          requestBody: {
            required: true,
            content: {
              "text/csv": { schema: { type: "string" }, example: exampleCsv() },
              "multipart/form-data": {
                schema: {
                  type: "object",
                  properties: {
                    file: {
                      type: "string",
                      contentMediaType: "text/csv",
                      description: "The CSV file",
                    },
                  },
                  required: ["file"],
                },
              },
            },
          },
          responses: {
            "200": {
              description: "Per-row outcome; rejected rows carry their line in the file",
              content: jsonContent("CsvUploadResponse", {
                examples: { mixed: { value: exampleCsvUploadResponse } },
              }),
            },
            ...errorResponses(CSV_UPLOAD_ERRORS),
          },
        },
      },
      ...readApiPaths(),
      ...workApiPaths(),
      ...alertApiPaths(),
      // After the read paths: this one documents the report's body, which they describe in words.
      "/api/v1/kpis": {
        get: {
          operationId: "getKpis",
          tags: ["kpis"],
          summary: "The KPIs of a range, per bucket and per entity",
          description:
            "Every KPI over [from, to), as docs/kpis.md defines them. Instants are kept to the millisecond (finer digits are dropped). Sums of amounts and counts (usage expected, received and missing; absVarianceMinor) are exact integers: a JSON number within ±(2^53 − 1), a string of decimal digits beyond.",
          security: [{ apiKey: ["read"] }],
          parameters: [
            {
              name: "from",
              in: "query",
              required: false,
              description:
                "The range's start; with `to`, or neither (then the last 30 days, ending at the next full hour)",
              schema: toJsonSchema(Timestamp),
            },
            {
              name: "to",
              in: "query",
              required: false,
              description: "The range's end, excluded: after `from`, at most 366 days later",
              schema: toJsonSchema(Timestamp),
            },
            {
              name: "entity",
              in: "query",
              required: false,
              description: "Only this legal entity",
              schema: { type: "string", minLength: 1, maxLength: 200 },
            },
          ],
          responses: {
            "200": { description: "The KPI report", content: jsonContent("KpiReport") },
            ...errorResponses({ 400: "A query parameter is invalid" }),
          },
        },
      },
      "/api/v1/openapi.json": {
        get: {
          operationId: "getOpenApiDocument",
          tags: ["contract"],
          summary: "This document",
          security: [],
          responses: {
            "200": {
              description: "The OpenAPI 3.1 document",
              content: { "application/json": { schema: { type: "object" } } },
            },
          },
        },
      },
    },
    components: {
      securitySchemes: {
        apiKey: {
          type: "http",
          scheme: "bearer",
          description:
            "A service key: Authorization: Bearer <key>. Keys carry scopes (ingest, read, work); create one with npm run closeline -- api-key create --name NAME --scopes ingest. A service key never approves or rejects a correction.",
        },
        personalToken: {
          type: "http",
          scheme: "bearer",
          description:
            "A personal token: Authorization: Bearer <token>. It acts as its user, with the user's role; create one on the profile page or with npm run closeline -- api-key create --name NAME --user EMAIL.",
        },
      },
      schemas: buildComponentSchemas(),
    },
  };
}

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;

let built: OpenApiDocument | undefined;

/** The document is a function of the code alone, so it is built once per process. */
export function openApiDocument(): OpenApiDocument {
  built ??= buildOpenApiDocument();
  return built;
}
