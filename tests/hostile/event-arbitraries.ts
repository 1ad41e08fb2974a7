import fc from "fast-check";
import { z } from "zod";
import { EVENT_TYPES, EVENT_TYPE_NAMES, type EventType } from "@/lib/contract";
import { CloudEventEnvelope } from "@/lib/contract/cloudevent";
import { describeValue, hostileValue, withOwnKey } from "./support";

/*
 * Events for the hostile-input tests of the writing routes: valid ones generated from each
 * type's zod schema (through its JSON Schema), and the same with one to three fields broken.
 */

/** The source every generated event names. */
export const SOURCE = "/tests/hostile";

// ---------------------------------------------------------------------------------------
// Valid events, from the contract's schemas.

export interface JsonSchema {
  type?: string;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
}

const CURRENCIES = ["USD", "EUR", "JPY", "GBP", "CHF", "BHD"];
export const timestampArb = fc
  .date({ min: new Date("2024-01-01T00:00:00Z"), max: new Date("2027-12-31T00:00:00Z") })
  .filter((d) => !Number.isNaN(d.getTime()))
  .map((d) => d.toISOString());

/** A value the schema accepts (cross-field rules like start < end may still refuse it). */
export function validValue(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.type === "integer") {
    const min = Math.max(schema.minimum ?? -1e12, -1e12);
    const max = Math.min(schema.maximum ?? 1e12, 1e12);
    return fc.oneof(
      fc.integer({ min, max }),
      fc.constantFrom(schema.minimum ?? min, schema.maximum ?? max),
    );
  }
  if (schema.type === "string" && schema.format === "date-time") return timestampArb;
  // The currency rule (a real ISO 4217 code) is a refinement JSON Schema cannot express.
  if (schema.type === "string" && schema.pattern === "^[A-Z]{3}$") {
    return fc.constantFrom(...CURRENCIES);
  }
  if (schema.type === "string") {
    const minLength = schema.minLength ?? 0;
    const maxLength = schema.maxLength ?? 200;
    return fc.oneof(
      fc.string({ minLength, maxLength: Math.min(maxLength, 40), unit: "grapheme" }),
      fc.constant("x".repeat(maxLength)),
      fc.constant("x".repeat(Math.max(minLength, 1))),
    );
  }
  return fc.jsonValue({ maxDepth: 2 });
}

export const DATA_SCHEMAS = Object.fromEntries(
  EVENT_TYPE_NAMES.map((type) => [
    type,
    z.toJSONSchema(EVENT_TYPES[type].data, { io: "input", unrepresentable: "any" }) as JsonSchema,
  ]),
) as Record<EventType, JsonSchema>;

function validData(type: EventType): fc.Arbitrary<Record<string, unknown>> {
  const schema = DATA_SCHEMAS[type];
  const properties = schema.properties ?? {};
  return fc.record(
    Object.fromEntries(Object.entries(properties).map(([key, p]) => [key, validValue(p)])),
    { requiredKeys: schema.required ?? [] },
  );
}

export type FuzzEvent = Record<string, unknown>;

const validEvent: fc.Arbitrary<FuzzEvent> = fc.constantFrom(...EVENT_TYPE_NAMES).chain((type) =>
  fc.record({
    specversion: fc.constant("1.0"),
    id: fc.uuid().map((u) => `fuzz-${u}`),
    source: fc.constant(SOURCE),
    type: fc.constant(type),
    time: timestampArb,
    data: validData(type),
  }),
);

// ---------------------------------------------------------------------------------------
// Breaking one field at a time.

/** The envelope's attributes as the contract names them, an extension, and prototype keys. */
const ENVELOPE_KEYS = [
  ...Object.keys(CloudEventEnvelope.shape),
  "x-extension",
  "__proto__",
  "constructor",
  "prototype",
];
const EXTRA_DATA_KEYS = ["__proto__", "constructor", "prototype", "x-extra", ""];

interface Mutation {
  inData: boolean;
  pick: number;
  remove: boolean;
  value: unknown;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  inData: fc.boolean(),
  pick: fc.nat(),
  remove: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
  value: hostileValue,
});

/** A copy of `event` with one field set or removed; generated values are never changed in place. */
function mutate(original: FuzzEvent, m: Mutation): FuzzEvent {
  // Spread copies own properties as data, so an own "__proto__" survives it.
  const event = { ...original };
  const data = event.data;
  const inData = m.inData && typeof data === "object" && data !== null && !Array.isArray(data);
  if (inData) event.data = { ...(data as Record<string, unknown>) };
  const target = inData ? (event.data as Record<string, unknown>) : event;
  const keys = inData
    ? [...Object.keys(DATA_SCHEMAS[event.type as EventType]?.properties ?? {}), ...EXTRA_DATA_KEYS]
    : ENVELOPE_KEYS;
  const key = keys[m.pick % keys.length]!;
  if (m.remove) delete target[key];
  else withOwnKey(target, key, m.value);
  return event;
}

export const brokenEvent: fc.Arbitrary<{ event: FuzzEvent; broken: string[] }> = fc
  .tuple(validEvent, fc.array(mutation, { minLength: 0, maxLength: 3 }))
  .map(([event, mutations]) => ({
    event: mutations.reduce(mutate, event),
    broken: mutations.map(
      (m) =>
        `${m.inData ? "data" : "envelope"}#${m.pick} ${m.remove ? "deleted" : describeValue(m.value)}`,
    ),
  }));
