import { CloseReadinessQuery } from "@/lib/close/query";
import { KpiQuery } from "@/lib/kpi/query";
import { AGE_CHOICES, PAGE_SIZES } from "@/lib/exceptions/queue-params";
import { SORTS, STATUSES, TYPES } from "@/lib/exceptions/vocabulary";
import { toJsonSchema } from "./json-schema";

/*
 * The read routes behind the dashboard's live views and exports, as the OpenAPI document
 * describes them: their parameters come from the parsers the handlers use, their answers from
 * the zod schemas of read-responses.ts (and the KPI report's own).
 */

type JsonObject = Record<string, unknown>;

const errorContent = { "application/json": { schema: { $ref: "#/components/schemas/Error" } } };
const errors = {
  "400": { description: "A query parameter is invalid", content: errorContent },
  "401": {
    description: "No credential, or an unknown, revoked or expired one",
    content: errorContent,
  },
  "403": { description: "The role or the scope may not read this", content: errorContent },
  "500": { description: "An unexpected error", content: errorContent },
  "503": {
    description: "The database is unavailable; retry after Retry-After",
    headers: { "Retry-After": { schema: { type: "integer" } } },
    content: errorContent,
  },
};
const unknownEntity = {
  "404": { description: "No telemetry names this entity", content: errorContent },
};
const SECURITY = [{ personalToken: [] }, { apiKey: ["read"] }];

function fromZod(schema: Parameters<typeof toJsonSchema>[0], required: string[] = []) {
  const json = toJsonSchema(schema) as { properties: Record<string, JsonObject> };
  return Object.entries(json.properties).map(([name, property]) => ({
    name,
    in: "query",
    required: required.includes(name),
    schema: property,
  }));
}

const q = (name: string, schema: JsonObject, description: string) => ({
  name,
  in: "query",
  required: false,
  description,
  schema,
});

const QUEUE_PARAMETERS = [
  q("type", { type: "string", enum: TYPES }, "Only exceptions of this type"),
  q("entity", { type: "string" }, "Only exceptions of this entity"),
  q(
    "status",
    { type: "string" },
    `Comma-separated statuses (${STATUSES.join(", ")}); absent: every status that still needs someone`,
  ),
  q("owner", { type: "string" }, '"me" (a person only), "unassigned" or a user id'),
  q("age", { type: "string", enum: AGE_CHOICES }, "Only exceptions open at least this long"),
  q("min", { type: "number" }, "Amount at least this, in major units"),
  q("max", { type: "number" }, "Amount at most this, in major units"),
  q(
    "rmin",
    { type: "string", pattern: "^[0-9][0-9,]*(\\.[0-9]+)?$" },
    'Amount at risk in the reporting currency at least this, in its major units as a decimal string (e.g. "1250.50"); leaves out unknown or unconverted amounts',
  ),
  q(
    "rmax",
    { type: "string", pattern: "^[0-9][0-9,]*(\\.[0-9]+)?$" },
    "Amount at risk in the reporting currency at most this, in its major units as a decimal string",
  ),
  q("q", { type: "string" }, "Text search in the title and keys"),
  q("blocking", { type: "boolean" }, "Only exceptions that block their entity's close"),
  q(
    "sort",
    { type: "string", enum: SORTS },
    "Sort order; amount sorts by size in each exception's own currency, reporting_amount by the amount converted into the reporting currency (unknown and unconverted last when largest first)",
  ),
  q("dir", { type: "string", enum: ["asc", "desc"] }, "Sort direction"),
  q("size", { type: "integer", enum: PAGE_SIZES }, "Rows per page"),
  q("after", { type: "string" }, "Cursor: the page after this one"),
  q("before", { type: "string" }, "Cursor: the page before this one"),
];

const schemaRef = (id: string) => ({
  "application/json": { schema: { $ref: `#/components/schemas/${id}` } },
});
const csv = { "text/csv": { schema: { type: "string" } } };

const read = (
  operationId: string,
  summary: string,
  parameters: unknown[],
  content: JsonObject,
  extraErrors: JsonObject = {},
) => ({
  get: {
    operationId,
    tags: ["reads"],
    summary,
    security: SECURITY,
    parameters,
    responses: { "200": { description: summary, content }, ...errors, ...extraErrors },
  },
});

export function readApiPaths(): Record<string, JsonObject> {
  return {
    "/api/v1/kpis": read(
      "getKpis",
      "The overview's KPIs for a range",
      fromZod(KpiQuery),
      schemaRef("KpiReport"),
    ),
    "/api/v1/exceptions": read(
      "listExceptions",
      "A page of the exception queue",
      QUEUE_PARAMETERS,
      schemaRef("QueuePage"),
    ),
    "/api/v1/exceptions/counts": read(
      "countExceptions",
      "Exceptions per type for the queue's filters",
      QUEUE_PARAMETERS.filter((p) => !["after", "before", "size"].includes(p.name)),
      schemaRef("QueueCounts"),
    ),
    "/api/v1/exceptions.csv": read(
      "exportExceptions",
      "The queue's rows as CSV",
      QUEUE_PARAMETERS.filter((p) => !["after", "before", "size"].includes(p.name)),
      csv,
    ),
    "/api/v1/close-readiness": read(
      "getCloseReadiness",
      "An entity's close readiness for a month",
      fromZod(CloseReadinessQuery, ["entity"]),
      schemaRef("CloseReadiness"),
      unknownEntity,
    ),
    "/api/v1/close-readiness.csv": read(
      "exportCloseReadiness",
      "Close readiness and its blockers as CSV",
      fromZod(CloseReadinessQuery, ["entity"]),
      csv,
      unknownEntity,
    ),
  };
}
