import { z } from "zod";
import { ListEventsQuery } from "@/lib/events/list";
import { MAX_BATCH_EVENTS, MAX_BODY_BYTES } from "@/lib/ingest/request";
import {
  COMMON_ERRORS,
  CSV_DESCRIPTION,
  CSV_UPLOAD_ERRORS,
  INGEST_ERRORS,
  QUERY_DESCRIPTIONS,
  describeBytes,
} from "./endpoint-descriptions";
import { EVENT_TYPES, EVENT_TYPE_NAMES } from "./event-types";
import {
  exampleBatch,
  exampleCsv,
  exampleCsvUploadResponse,
  exampleEvent,
  exampleIngestResponse,
} from "./examples";
import {
  eventComponentName,
  exampleToExamples,
  toJsonSchema,
  typedEventSchema,
  type JsonObject,
} from "./json-schema";
import { KpiReport } from "./kpi-report";
import { ApiError, CsvUploadResponse, EventListResponse, IngestResponse } from "./responses";
import { readApiPaths } from "./read-openapi";
import { READ_SCHEMAS } from "./read-responses";
import { WORK_SCHEMAS, rangeParameters, workApiPaths } from "./work-openapi";
import { ALERT_SCHEMAS, alertApiPaths } from "./alerts-openapi";
import { DIGEST_SCHEMAS, digestApiPaths } from "./digests-openapi";
import { THREAD_SCHEMAS } from "./thread-api";
import { threadApiPaths } from "./thread-openapi";
import { INCIDENT_SCHEMAS } from "./incident-api";
import { incidentApiPaths } from "./incident-openapi";
import { FX_SCHEMAS } from "./fx-api";
import { fxApiPaths } from "./fx-openapi";

/*
 * GET /api/v1/openapi.json: the machine-readable contract, generated from the same zod
 * schemas that validate requests (see json-schema.ts for how they are converted).
 */

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
  for (const [id, schema] of Object.entries({
    ...WORK_SCHEMAS,
    ...ALERT_SCHEMAS,
    ...DIGEST_SCHEMAS,
    ...READ_SCHEMAS,
    ...THREAD_SCHEMAS,
    ...INCIDENT_SCHEMAS,
    ...FX_SCHEMAS,
  }))
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
const RETRY_AFTER = {
  "Retry-After": { description: "Seconds to wait", schema: { type: "integer" } },
};
/** The error answers an endpoint can give, each with the shared error body. */
function errorResponses(meanings: Record<number, string>) {
  return Object.fromEntries(
    Object.entries({ ...meanings, ...COMMON_ERRORS }).map(([status, description]) => [
      status,
      {
        description,
        ...(status === "429" || status === "503" ? { headers: RETRY_AFTER } : {}),
        content: jsonContent("Error"),
      },
    ]),
  );
}
/** A read's answers: its body, a query parameter it refuses, and the errors every call may get. */
function readResponses(description: string, schema: string) {
  return {
    "200": { description, content: jsonContent(schema) },
    ...errorResponses({ 400: "A query parameter is invalid" }),
  };
}
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
/** The reads a replica may serve (docs/replicas.md), which accept a position to read after. */
const REPLICA_READS = new Set([
  "/api/v1/events",
  "/api/v1/kpis",
  "/api/v1/exceptions",
  "/api/v1/exceptions/counts",
  "/api/v1/exceptions.csv",
  "/api/v1/close-readiness",
  "/api/v1/close-readiness.csv",
  "/api/v1/corrections",
  "/api/v1/incidents",
]);
const WRITE_POSITION = {
  name: "Closeline-Write-Position",
  schema: {
    type: "string",
    pattern: "^[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}$",
    example: "16/B374D848",
  },
};

/**
 * Read-your-writes (docs/replicas.md), on every operation it concerns: each write's success
 * hands back the position of what it wrote, and each read a replica may serve accepts one.
 */
function withWritePositions<T extends Record<string, Record<string, unknown>>>(paths: T): T {
  for (const [path, operations] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(operations) as [string, JsonObject][]) {
      if (method === "get" && REPLICA_READS.has(path)) {
        operation.parameters = [
          ...((operation.parameters as unknown[] | undefined) ?? []),
          {
            ...WRITE_POSITION,
            in: "header",
            required: false,
            description:
              "A write position from a write's answer (this caller's or another's): the read is served only from data that includes that write. A lower bound only; a malformed value is ignored.",
          },
        ];
      } else if (method !== "get") {
        for (const [status, response] of Object.entries(operation.responses as JsonObject)) {
          if (!status.startsWith("2")) continue;
          const answer = response as JsonObject;
          answer.headers = {
            ...(answer.headers as JsonObject | undefined),
            [WRITE_POSITION.name]: {
              description:
                "When reads are served by replicas: the write-ahead log position of this write, for a later read's Closeline-Write-Position header. The caller's own reads after it need not send it.",
              required: false,
              schema: WRITE_POSITION.schema,
            },
          };
        }
      }
    }
  }
  return paths;
}

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
      { name: "digests" },
      { name: "threads" },
      { name: "incidents" },
      { name: "fx-rates" },
      { name: "contract" },
    ],
    paths: withWritePositions({
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
          responses: readResponses("A page of events", "EventListResponse"),
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
      ...digestApiPaths(),
      ...threadApiPaths(),
      ...incidentApiPaths(),
      ...fxApiPaths(),
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
            ...rangeParameters(
              "The range's start; with `to`, or neither (then the last 30 days, ending at the next full hour)",
            ),
            {
              name: "entity",
              in: "query",
              required: false,
              description: "Only this legal entity",
              schema: { type: "string", minLength: 1, maxLength: 200 },
            },
          ],
          responses: readResponses("The KPI report", "KpiReport"),
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
    }),
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
