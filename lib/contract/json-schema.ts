import { z } from "zod";
import { CloudEventEnvelope } from "./cloudevent";
import { EVENT_TYPES, type EventType } from "./event-types";
import { exampleEvent } from "./examples";

/*
 * The contract's zod schemas as JSON Schema (z.toJSONSchema, 2020-12 as OpenAPI 3.1 uses), for
 * the OpenAPI document and docs/ingestion.md. Schemas are converted as *input* types, so a
 * field with a default (toleranceMinor) shows as optional with its default, which is what a
 * sender needs to know.
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

export type JsonObject = Record<string, unknown>;

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
