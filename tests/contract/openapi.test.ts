import { describe, expect, expectTypeOf, it } from "vitest";
import type { z } from "zod";
import { GET } from "@/app/api/v1/openapi.json/route";
import { EVENT_TYPES, EVENT_TYPE_NAMES, validateCloudEvent } from "@/lib/contract";
import {
  exampleBatch,
  exampleCsv,
  exampleCsvUploadResponse,
  exampleEvent,
  exampleIngestResponse,
} from "@/lib/contract/examples";
import { crossFieldRules, eventComponentName } from "@/lib/contract/json-schema";
import { buildOpenApiDocument } from "@/lib/contract/openapi";
import type { KpiReport } from "@/lib/contract/kpi-report";
import { CsvUploadResponse, IngestResponse } from "@/lib/contract/responses";
import { parseReconciliationCsv } from "@/lib/ingest/csv";
import type { CsvUploadResult } from "@/lib/ingest/csv-http";
import type { IngestResult } from "@/lib/ingest/ingest";
import type { KpiReport as EngineKpiReport } from "@/lib/kpi/engine";

/*
 * The examples the documentation shows are requests the API accepts, and the OpenAPI
 * document is plain JSON that names every event type and whose references all resolve.
 */

describe("the contract's examples", () => {
  it.each(EVENT_TYPE_NAMES)("%s: the example data and the whole example event validate", (type) => {
    const data = EVENT_TYPES[type].data.safeParse(EVENT_TYPES[type].example);
    expect(data.error?.issues ?? []).toEqual([]);
    const event = validateCloudEvent(exampleEvent(type));
    expect(event.ok ? [] : event.errors).toEqual([]);
  });

  it("the batch example validates item by item", () => {
    for (const item of exampleBatch()) expect(validateCloudEvent(item).ok).toBe(true);
  });

  it("every row of the example CSV file validates", () => {
    const parsed = parseReconciliationCsv(exampleCsv(), new Date("2026-11-02T00:00:00Z"));
    expect(parsed.ok && parsed.rows.length).toBe(2);
    if (!parsed.ok) return;
    for (const row of parsed.rows) expect(validateCloudEvent(row.event).ok).toBe(true);
  });

  it("the example answers have the documented shapes", () => {
    expect(IngestResponse.safeParse(exampleIngestResponse).success).toBe(true);
    expect(CsvUploadResponse.safeParse(exampleCsvUploadResponse).success).toBe(true);
  });

  it("the response schemas describe what the handlers return", () => {
    expectTypeOf<IngestResult>().toExtend<z.input<typeof IngestResponse>>();
    expectTypeOf<CsvUploadResult>().toExtend<z.input<typeof CsvUploadResponse>>();
    expectTypeOf<EngineKpiReport>().toExtend<z.input<typeof KpiReport>>();
  });

  it("finds the rules that relate two fields, which JSON Schema cannot express", () => {
    expect(crossFieldRules(EVENT_TYPES["usage.checkpoint"].data)).toEqual([
      { field: "windowEnd", rule: "must be after windowStart" },
      { field: "currency", rule: "is required with unitPrice" },
    ]);
    expect(crossFieldRules(EVENT_TYPES["fx.rate"].data)).toEqual([
      { field: "reportingCurrency", rule: "must differ from currency" },
    ]);
    expect(crossFieldRules(EVENT_TYPES["invoice.issued"].data)).toEqual([
      { field: "periodEnd", rule: "must not be before periodStart" },
    ]);
    expect(crossFieldRules(EVENT_TYPES["reconciliation.result"].data)).toEqual([
      { field: "periodEnd", rule: "must not be before periodStart" },
    ]);
    expect(crossFieldRules(EVENT_TYPES["payment.received"].data)).toEqual([]);
  });
});

type Json = Record<string, unknown>;

function collectRefs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => collectRefs(item, out));
  else if (value && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) {
      if (key === "$ref" && typeof child === "string") out.push(child);
      else collectRefs(child, out);
    }
  }
  return out;
}

describe("GET /api/v1/openapi.json", () => {
  const doc = buildOpenApiDocument();
  const schemas = doc.components.schemas as Record<string, Json>;

  it("is served without a key as JSON", async () => {
    const response = await GET();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const served = (await response.json()) as Json;
    expect(served.openapi).toBe("3.1.0");
    expect(served).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  it("is plain JSON: nothing is lost or changed by a round trip", () => {
    expect(JSON.parse(JSON.stringify(doc))).toStrictEqual(doc);
  });

  it.each(EVENT_TYPE_NAMES)("has a component for %s with its type and data", (type) => {
    const schema = schemas[eventComponentName(type)] as {
      properties: { type: Json; data: { properties: Json; required?: string[] } };
      required: string[];
      examples: unknown[];
    };
    expect(schema.properties.type.const).toBe(type);
    expect(Object.keys(schema.properties.data.properties)).toEqual(
      Object.keys(EVENT_TYPES[type].data.shape),
    );
    expect(schema.required).toEqual(
      expect.arrayContaining(["specversion", "id", "source", "type", "time", "data"]),
    );
    expect(schema.examples).toEqual([exampleEvent(type)]);
  });

  it("offers every type as one of CloudEvent, discriminated by type", () => {
    const cloudEvent = schemas.CloudEvent as { oneOf: { $ref: string }[]; discriminator: Json };
    const expected = EVENT_TYPE_NAMES.map((t) => `#/components/schemas/${eventComponentName(t)}`);
    expect(cloudEvent.oneOf.map((s) => s.$ref)).toEqual(expected);
    expect(cloudEvent.discriminator).toEqual({
      propertyName: "type",
      mapping: Object.fromEntries(EVENT_TYPE_NAMES.map((t, i) => [t, expected[i]])),
    });
  });

  it("keeps defaults as the sender sees them: toleranceMinor optional, default 0", () => {
    const data = (schemas.ReconciliationResultEvent as { properties: { data: Json } }).properties
      .data as { properties: Record<string, Json>; required: string[] };
    expect(data.required).not.toContain("toleranceMinor");
    expect(data.properties.toleranceMinor).toMatchObject({
      type: "integer",
      minimum: 0,
      default: 0,
    });
    expect(data.properties.currency).toMatchObject({ pattern: "^[A-Z]{3}$", examples: ["EUR"] });
  });

  it("resolves every $ref", () => {
    const refs = collectRefs(doc);
    expect(refs.length).toBeGreaterThan(EVENT_TYPE_NAMES.length);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(schemas[ref.replace("#/components/schemas/", "")], ref).toBeDefined();
    }
  });

  it("hands back a write's position on success, and takes one on the reads replicas serve", () => {
    const paths = doc.paths as Record<string, Record<string, Json>>;
    type Operation = {
      parameters?: { name: string; in: string }[];
      responses: Record<string, { headers?: Record<string, Json> }>;
    };
    const operations = Object.entries(paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        path,
        method,
        operation: operation as Operation,
      })),
    );
    const writes = operations.filter(({ method }) => method !== "get");
    expect(writes.length).toBeGreaterThan(10);
    for (const { path, method, operation } of writes) {
      for (const [status, response] of Object.entries(operation.responses)) {
        expect(
          Boolean(response.headers?.["Closeline-Write-Position"]),
          `${method} ${path} ${status}`,
        ).toBe(status.startsWith("2"));
      }
    }
    const takesPosition = operations
      .filter(({ operation }) =>
        operation.parameters?.some(
          (p) => p.name === "Closeline-Write-Position" && p.in === "header",
        ),
      )
      .map(({ path }) => path);
    expect(takesPosition).toContain("/api/v1/kpis");
    expect(takesPosition).toContain("/api/v1/exceptions");
    expect(takesPosition).not.toContain("/api/v1/exceptions/{id}");
  });

  it("describes each endpoint with its auth, body and every status code", () => {
    const paths = doc.paths as Record<string, Record<string, Json>>;
    const ingest = paths["/api/v1/events"]!.post as {
      security: Json[];
      requestBody: { content: Record<string, Json> };
      responses: Record<string, { content?: Record<string, { schema: Json }> }>;
    };
    expect(ingest.security).toEqual([{ apiKey: ["ingest"] }]);
    expect(Object.keys(ingest.requestBody.content)).toEqual([
      "application/cloudevents+json",
      "application/json",
      "application/cloudevents-batch+json",
    ]);
    expect(Object.keys(ingest.responses)).toEqual([
      "200",
      "400",
      "401",
      "403",
      "413",
      "415",
      "429",
      "500",
      "503",
    ]);
    for (const [status, response] of Object.entries(ingest.responses)) {
      const schema = response.content!["application/json"]!.schema;
      expect(schema).toEqual({
        $ref: `#/components/schemas/${status === "200" ? "IngestResponse" : "Error"}`,
      });
    }

    const list = paths["/api/v1/events"]!.get as {
      parameters: { name: string }[];
      security: Json[];
    };
    expect(list.security).toEqual([{ apiKey: ["read"] }]);
    expect(list.parameters.map((p) => p.name)).toEqual([
      "type",
      "source",
      "from",
      "to",
      "cursor",
      "limit",
      "Closeline-Write-Position",
    ]);

    const upload = paths["/api/v1/reconciliation-results/upload"]!.post as {
      requestBody: { content: Record<string, Json> };
      responses: Record<string, Json>;
    };
    expect(Object.keys(upload.requestBody.content)).toEqual(["text/csv", "multipart/form-data"]);
    expect(Object.keys(upload.responses)).toContain("413");

    expect((paths["/api/v1/openapi.json"]!.get as { security: Json[] }).security).toEqual([]);
  });
});
