import { z } from "zod";

/*
 * zod schemas as JSON Schema, for the OpenAPI document (openapi.ts, read-openapi.ts) and the
 * ingestion guide (ingestion-doc.ts).
 */

type JsonObject = Record<string, unknown>;

/** OpenAPI 3.1 deprecates a schema's `example` in favour of JSON Schema's `examples`. */
export function exampleToExamples(ctx: { jsonSchema: JsonObject }) {
  if ("example" in ctx.jsonSchema) {
    ctx.jsonSchema.examples = [ctx.jsonSchema.example];
    delete ctx.jsonSchema.example;
  }
}

/** One schema as JSON Schema, without the `$schema` header a component does not carry. */
export function toJsonSchema(schema: z.ZodType): JsonObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io: "input",
    override: exampleToExamples,
  }) as JsonObject;
  return rest;
}
