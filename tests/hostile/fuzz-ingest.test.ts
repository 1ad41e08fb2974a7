import fc from "fast-check";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { EVENT_TYPES, EVENT_TYPE_NAMES, type EventType } from "@/lib/contract";
import { MAX_JSON_DEPTH, TOO_DEEP_MARKER } from "@/lib/contract/storable";
import { CSV_DATA_COLUMNS, CSV_ENVELOPE_COLUMNS } from "@/lib/ingest/csv";
import { handleCsvUploadRequest } from "@/lib/ingest/csv-http";
import { handleIngest } from "@/lib/ingest/http";
import type { Db } from "@/db/client";
import { queryRows } from "@/db/rows";
import { sql } from "drizzle-orm";
import { apiKeysFor } from "../support/api-keys";
import { testDbForSuite } from "../support/db";
import {
  BOUNDARY_TIMESTAMPS,
  NASTY_STRINGS,
  ONE_MB,
  RawJson,
  SQL_INJECTIONS,
  deepArray,
  deepObject,
  describeValue,
  expectPrototypesClean,
  fuzzOptions,
  hostileValue,
  readAnswer,
  rowCounts,
  tableNames,
  toJsonText,
  withOwnKey,
  type Answer,
} from "./support";

/*
 * Hostile input for the two routes that write: POST /api/v1/events and
 * POST /api/v1/reconciliation-results/upload, driven through the handlers the routes use.
 * Valid events are generated from each type's zod schema (through its JSON Schema), then
 * one to three fields are broken: a wrong type, a huge or boundary value, deep nesting,
 * prototype keys, text PostgreSQL refuses. Whatever arrives, the answer is a 200 with
 * per-item rejections or a 4xx with a message, never a 5xx; every item is accounted for;
 * a refused item lands in rejected_events and nowhere else that holds telemetry; and
 * Object.prototype stays as it was. Seeded: see tests/hostile/support.ts to replay.
 */

vi.hoisted(() => {
  // Hundreds of requests from one key in a few seconds: the limiter is not under test here
  // (tests/ingest/rate-limit.test.ts is), so it must not turn answers into 429s.
  process.env.CLOSELINE_INGEST_RATE_PER_KEY = "1000000";
  process.env.CLOSELINE_INGEST_BURST_PER_KEY = "1000000";
});

// Signed out: the routes answer to API keys alone (tests/support/no-session.ts).
vi.mock("next-auth", async () => (await import("../support/no-session")).withoutSession());

const SOURCE = "/tests/hostile";
const EVENTS_URL = "http://closeline.test/api/v1/events";
const UPLOAD_URL = "http://closeline.test/api/v1/reconciliation-results/upload";

/** Tables a refused item may touch: its own row, and the exception (with audit) it raises. */
const WRITTEN_ON_REJECTION = new Set(["rejected_events", "exceptions", "audit_log"]);

const t = testDbForSuite();
const keys = apiKeysFor(t, { writer: ["ingest"], reader: ["read"] });
let tables: string[];

beforeAll(async () => {
  tables = await tableNames(t.db);
});

// ---------------------------------------------------------------------------------------
// Valid events, from the contract's schemas.

interface JsonSchema {
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
const timestampArb = fc
  .date({ min: new Date("2024-01-01T00:00:00Z"), max: new Date("2027-12-31T00:00:00Z") })
  .filter((d) => !Number.isNaN(d.getTime()))
  .map((d) => d.toISOString());

/** A value the schema accepts (cross-field rules like start < end may still refuse it). */
function validValue(schema: JsonSchema): fc.Arbitrary<unknown> {
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

const DATA_SCHEMAS = Object.fromEntries(
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

type FuzzEvent = Record<string, unknown>;

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

const ENVELOPE_KEYS = [
  "specversion",
  "id",
  "source",
  "type",
  "time",
  "subject",
  "datacontenttype",
  "dataschema",
  "data",
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

const brokenEvent: fc.Arbitrary<{ event: FuzzEvent; broken: string[] }> = fc
  .tuple(validEvent, fc.array(mutation, { minLength: 0, maxLength: 3 }))
  .map(([event, mutations]) => ({
    event: mutations.reduce(mutate, event),
    broken: mutations.map(
      (m) =>
        `${m.inData ? "data" : "envelope"}#${m.pick} ${m.remove ? "deleted" : describeValue(m.value)}`,
    ),
  }));

// ---------------------------------------------------------------------------------------

interface IngestBody {
  accepted: number;
  duplicates: number;
  rejected: { index: number; id: string | null; errors: string[] }[];
}

async function post(
  url: string,
  handler: (db: Db, request: Request) => Promise<Response>,
  body: BodyInit,
  contentType: string | null,
  key: string = keys.writer,
): Promise<Answer> {
  const headers = new Headers({ authorization: `Bearer ${key}` });
  if (contentType !== null) headers.set("content-type", contentType);
  const request = new Request(url, { method: "POST", headers, body });
  const shown = typeof body === "string" ? body : `<${body.constructor.name}>`;
  return readAnswer(await handler(t.db, request), `POST ${url} [${contentType}] ${shown}`);
}

/**
 * Every item answered exactly once; accepted ones are new events, refused ones new rows of
 * rejected_events; when nothing was accepted, no telemetry table moved. A 4xx stores no
 * event and keeps at most the unreadable body.
 */
function expectAccounted(
  answer: Answer,
  items: number | null,
  before: Record<string, number>,
  after: Record<string, number>,
) {
  const delta = (table: string) => after[table]! - before[table]!;
  if (answer.status !== 200) {
    expect(delta("events")).toBe(0);
    expect(delta("rejected_events")).toBeGreaterThanOrEqual(0);
    expect(delta("rejected_events")).toBeLessThanOrEqual(1);
    return;
  }
  const body = answer.body as IngestBody;
  if (items !== null) {
    expect(body.accepted + body.duplicates + body.rejected.length).toBe(items);
  }
  expect(new Set(body.rejected.map((r) => r.index)).size).toBe(body.rejected.length);
  for (const r of body.rejected) expect(r.errors.length).toBeGreaterThan(0);
  expect(delta("events")).toBe(body.accepted);
  expect(delta("rejected_events")).toBe(body.rejected.length);
  if (body.accepted === 0) {
    for (const table of tables) {
      if (!WRITTEN_ON_REJECTION.has(table)) expect(delta(table), table).toBe(0);
    }
  }
}

describe("POST /api/v1/events under fuzzing", () => {
  it("answers every batch of broken events item by item, never with a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(brokenEvent, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        async (generated, asSingle) => {
          const items = generated.map((g) => g.event);
          const single = asSingle && items.length === 1;
          const text = toJsonText(single ? items[0] : items);
          const before = await rowCounts(t.db, tables);
          const answer = await post(
            EVENTS_URL,
            handleIngest,
            text,
            single ? "application/cloudevents+json" : "application/cloudevents-batch+json",
          );
          const after = await rowCounts(t.db, tables);
          // A body over 5 MB (several 1 MB strings) is a 413, like any oversized upload.
          if (Buffer.byteLength(text) > 5 * 1024 * 1024) expect(answer.status).toBe(413);
          else expect(answer.status).toBe(200);
          expectAccounted(answer, items.length, before, after);
          expectPrototypesClean();
        },
      ),
      fuzzOptions(200),
    );
  }, 240_000);

  it("answers any body with any content type with a 200 or a 4xx that says why", async () => {
    const event = JSON.stringify({
      specversion: "1.0",
      id: "fuzz-raw",
      source: SOURCE,
      type: "invoice.disputed",
      time: "2026-11-15T10:00:00Z",
      data: EVENT_TYPES["invoice.disputed"].example,
    });
    const encoder = new TextEncoder();
    /** Bytes no UTF-8 decoder accepts: a bare continuation, overlongs, a surrogate, > U+10FFFF. */
    const badUtf8 = fc.constantFrom(
      [0xff],
      [0xfe],
      [0x80],
      [0xc0, 0xaf],
      [0xe0, 0x80, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xe2, 0x82],
    );
    const body: fc.Arbitrary<Uint8Array | string> = fc.oneof(
      fc.constantFrom(
        "",
        " ",
        "\n\t\r ",
        "\ufeff",
        "\ufeff" + event,
        "null",
        "true",
        "0",
        '"event"',
        "[]",
        "{}",
        "[null]",
        "[[]]",
        "{",
        "[",
        '{"a":',
        "\u0000",
        `${event}\u0000`,
        event.replace('"id":"fuzz-raw"', '"id":"a","id":"b"'),
        event.replace('"type":"invoice.disputed"', '"type":"invoice.disputed","type":"x"'),
        `[${event},${event}]`,
        `[${Array.from({ length: 1001 }, () => "{}").join(",")}]`,
      ),
      fc.constantFrom(deepArray(10_000), deepArray(100_000), deepObject(10_000)).map((r) => r.text),
      fc.json({ maxDepth: 4 }),
      fc.string({ unit: "binary", maxLength: 200 }),
      fc.tuple(fc.nat({ max: event.length }), badUtf8).map(([at, bytes]) => {
        const valid = encoder.encode(event);
        return new Uint8Array([...valid.slice(0, at), ...bytes, ...valid.slice(at)]);
      }),
    );
    const contentType = fc.oneof(
      fc.constantFrom(
        null,
        "application/json",
        "application/cloudevents+json",
        "application/cloudevents-batch+json",
        "APPLICATION/CloudEvents+JSON; charset=utf-8",
        "application/json; charset=latin1",
        "application/json;;;",
        "text/plain",
        "text/csv",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "*/*",
        "",
      ),
      fc.stringMatching(/^[\x21-\x7e]{1,40}$/),
    );
    await fc.assert(
      fc.asyncProperty(body, contentType, async (raw, type) => {
        const before = await rowCounts(t.db, tables);
        const answer = await post(EVENTS_URL, handleIngest, raw as BodyInit, type);
        const after = await rowCounts(t.db, tables);
        expectAccounted(answer, null, before, after);
        expectPrototypesClean();
      }),
      fuzzOptions(200),
    );
  }, 240_000);

  it("refuses a read-only key before reading the body, and changes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(brokenEvent, { minLength: 1, maxLength: 2 }), async (generated) => {
        const before = await rowCounts(t.db, tables);
        const answer = await post(
          EVENTS_URL,
          handleIngest,
          toJsonText(generated.map((g) => g.event)),
          "application/cloudevents-batch+json",
          keys.reader,
        );
        expect(answer.status).toBe(403);
        expect(await rowCounts(t.db, tables)).toEqual(before);
      }),
      fuzzOptions(30),
    );
  }, 60_000);
});

describe("POST /api/v1/events: the cases fuzzing found or must always cover", () => {
  const base = () => ({
    specversion: "1.0",
    id: `fixed-${Math.random().toString(36).slice(2)}`,
    source: SOURCE,
    type: "invoice.disputed",
    time: "2026-11-15T10:00:00Z",
    data: { ...EVENT_TYPES["invoice.disputed"].example },
  });

  async function ingestOne(text: string) {
    const before = await rowCounts(t.db, tables);
    const answer = await post(EVENTS_URL, handleIngest, text, "application/cloudevents+json");
    expectAccounted(answer, 1, before, await rowCounts(t.db, tables));
    return answer.body as IngestBody;
  }

  async function storedRejection(id: string) {
    const [row] = await queryRows<{ payload: unknown; errors: string[]; event_id: string | null }>(
      t.db,
      sql`select payload, errors, event_id from rejected_events where event_id = ${id}`,
    );
    return row;
  }

  it.each([
    ["U+0000 in a data field", { reason: "a\u0000b" }, "data.reason"],
    ["an unpaired surrogate in a data field", { reason: "a\ud800b" }, "data.reason"],
    ["U+0000 in an unknown data key", withOwnKey({}, "k\u0000", 1), "data"],
  ])("refuses %s as one rejected item, and keeps it", async (_label, data, field) => {
    const event = base();
    Object.assign(event.data, data);
    const body = await ingestOne(toJsonText(event));
    expect(body.accepted).toBe(0);
    expect(body.rejected[0]!.errors.join()).toContain(field);
    const row = await storedRejection(event.id);
    expect(row?.errors.join()).toContain("cannot be stored");
  });

  it("refuses U+0000 in the id, keeping the item under a readable id", async () => {
    const event = { ...base(), id: "evt\u0000x" };
    const body = await ingestOne(toJsonText(event));
    expect(body.rejected[0]!.errors.join()).toContain("id: contains U+0000");
    expect(await storedRejection("evt\uFFFDx")).toBeDefined();
  });

  it.each(["0000-01-01T00:00:00Z", "2026-01-01T00:00:00+23:59", "9999-12-31T23:59:59-14:00"])(
    "refuses the time %s PostgreSQL cannot hold, per item",
    async (time) => {
      const body = await ingestOne(toJsonText({ ...base(), time }));
      expect(body.rejected[0]!.errors.join()).toContain("time: must lie between");
    },
  );

  it("refuses a timestamp inside data that PostgreSQL cannot hold", async () => {
    const event = {
      ...base(),
      type: "payment.received",
      data: { ...EVENT_TYPES["payment.received"].example, receivedAt: "0000-06-01T00:00:00Z" },
    };
    const body = await ingestOne(toJsonText(event));
    expect(body.rejected[0]!.errors.join()).toContain("data.receivedAt");
  });

  it.each([
    ["an extension attribute", (text: string, deep: string) => text.replace(/}$/, `,"x":${deep}}`)],
    [
      "a data field",
      (text: string, deep: string) => text.replace('"reason":', `"x":${deep},"reason":`),
    ],
  ])("refuses 10,000 levels of nesting in %s, keeping a shallow copy", async (_label, splice) => {
    const event = base();
    const body = await ingestOne(splice(JSON.stringify(event), deepArray(10_000).text));
    expect(body.rejected[0]!.errors.join()).toContain(`nests deeper than ${MAX_JSON_DEPTH} levels`);
    const row = await storedRejection(event.id);
    expect(JSON.stringify(row?.payload)).toContain(TOO_DEEP_MARKER);
  });

  it("keeps 100,000 levels of nesting sent as the whole body as one rejected item", async () => {
    const before = await rowCounts(t.db, tables);
    const answer = await post(
      EVENTS_URL,
      handleIngest,
      deepArray(100_000).text,
      "application/json",
    );
    expect(answer.status).toBe(200);
    expectAccounted(answer, 1, before, await rowCounts(t.db, tables));
  });

  it("refuses 1e400 rather than storing it as null", async () => {
    const event = base();
    const body = await ingestOne(JSON.stringify(event).replace(/}$/, ',"x":1e400}'));
    expect(body.rejected[0]!.errors.join()).toContain("x: is a number beyond");
  });

  it("refuses amounts past 2^53 with the field's name, accepts -0 as 0", async () => {
    const huge = await ingestOne(
      JSON.stringify(base()).replace('"amountMinor":15000', '"amountMinor":9223372036854775808'),
    );
    expect(huge.rejected[0]!.errors.join()).toContain("data.amountMinor");
    const zero = await ingestOne(
      JSON.stringify(base()).replace('"amountMinor":15000', '"amountMinor":-0'),
    );
    expect(zero.accepted).toBe(1);
  });

  it("takes the last of duplicate keys, as JSON.parse does, and stores what it answered", async () => {
    const event = base();
    const text = JSON.stringify(event).replace(
      `"id":"${event.id}"`,
      `"id":"first","id":"${event.id}"`,
    );
    const body = await ingestOne(text);
    expect(body.accepted).toBe(1);
    const [row] = await queryRows<{ n: number }>(
      t.db,
      sql`select count(*)::int as n from events where event_id in (${event.id}, 'first')`,
    );
    expect(row!.n).toBe(1);
  });

  it("stores constructor and prototype keys as data without polluting anything", async () => {
    const event = base();
    const text = JSON.stringify(event)
      .replace(/}$/, ',"constructor":{"prototype":{"polluted":"yes"}}}')
      .replace('"reason":', '"prototype":{"polluted":"yes"},"reason":');
    const body = await ingestOne(text);
    expect(body.accepted).toBe(1);
    expectPrototypesClean();
    const [row] = await queryRows<{
      attributes: Record<string, unknown>;
      data: Record<string, unknown>;
    }>(t.db, sql`select attributes, data from events where event_id = ${event.id}`);
    expect(Object.hasOwn(row!.attributes, "constructor")).toBe(true);
    expect(Object.hasOwn(row!.data, "prototype")).toBe(true);
    expectPrototypesClean();
  });

  it("refuses __proto__ keys at any depth with their path, never dropping them unsaid", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom("data", "ext", "nested"), { minLength: 1, maxLength: 3 }),
        async (places) => {
          const event = base();
          const withProto = JSON.parse(JSON.stringify(event)) as Record<string, unknown>;
          let text = JSON.stringify(withProto);
          if (places.includes("ext")) text = text.replace(/}$/, ',"__proto__":{"polluted":"yes"}}');
          if (places.includes("data"))
            text = text.replace('"reason":', '"__proto__":{"polluted":"yes"},"reason":');
          if (places.includes("nested"))
            text = text.replace(/}$/, ',"x-nested":{"a":[{"__proto__":1}]}}');
          const body = await ingestOne(text);
          expect(body.accepted).toBe(0);
          const errors = body.rejected[0]!.errors;
          if (places.includes("ext"))
            expect(errors).toContain(
              '(event): has a key named "__proto__", which Closeline does not accept',
            );
          if (places.includes("data"))
            expect(errors).toContain(
              'data: has a key named "__proto__", which Closeline does not accept',
            );
          if (places.includes("nested"))
            expect(errors).toContain(
              'x-nested.a.0: has a key named "__proto__", which Closeline does not accept',
            );
          expectPrototypesClean();
        },
      ),
      { numRuns: 15, seed: 12 },
    );
  });

  it("accepts a 1 MB extension attribute and refuses a 1 MB reason by its limit", async () => {
    const event = base();
    const stored = await ingestOne(toJsonText({ ...event, "x-blob": ONE_MB }));
    expect(stored.accepted).toBe(1);
    const refused = await ingestOne(
      toJsonText({ ...base(), data: { ...event.data, reason: ONE_MB } }),
    );
    expect(refused.rejected[0]!.errors.join()).toContain("data.reason");
  });

  it("answers 413 to a body past 5 MB and 400 to bytes that are not UTF-8", async () => {
    const big = await post(
      EVENTS_URL,
      handleIngest,
      `[${JSON.stringify("x".repeat(6 * 1024 * 1024))}]`,
      "application/json",
    );
    expect(big.status).toBe(413);
    const bytes = new Uint8Array([0x7b, 0xff, 0x7d]);
    const bad = await post(EVENTS_URL, handleIngest, bytes, "application/json");
    expect(bad.status).toBe(400);
    expect((bad.body as { error: { message: string } }).error.message).toMatch(/UTF-8/);
  });
});

// ---------------------------------------------------------------------------------------

describe("POST /api/v1/reconciliation-results/upload under fuzzing", () => {
  const COLUMNS = [...CSV_DATA_COLUMNS, ...Object.keys(CSV_ENVELOPE_COLUMNS)];
  const schema = DATA_SCHEMAS["reconciliation.result"].properties ?? {};
  const cellText = (value: unknown) => {
    const text =
      value instanceof RawJson
        ? value.text
        : typeof value === "string"
          ? value
          : (JSON.stringify(value) ?? "");
    return /[",\n\r]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const cell = (column: string): fc.Arbitrary<unknown> => {
    const valid = schema[column]
      ? validValue(schema[column])
      : column === "time"
        ? timestampArb
        : fc.string({ minLength: 1, maxLength: 30 });
    return fc.oneof(
      { weight: 3, arbitrary: valid },
      {
        weight: 1,
        arbitrary: hostileValue.filter((v) => !(v instanceof RawJson) || v.text.length < 1000),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom(...NASTY_STRINGS, ...SQL_INJECTIONS, ...BOUNDARY_TIMESTAMPS),
      },
    );
  };
  const csvFile = fc
    .oneof(fc.constant([...CSV_DATA_COLUMNS]), fc.subarray(COLUMNS, { minLength: 1 }))
    .chain((header) =>
      fc.tuple(
        fc.constant(header),
        fc.array(fc.tuple(...header.map(cell)), { minLength: 0, maxLength: 5 }),
      ),
    )
    .map(([header, rows]) =>
      [header.join(","), ...rows.map((r) => r.map(cellText).join(","))].join("\n").concat("\n"),
    );
  const anyText = fc.oneof(
    csvFile,
    fc.string({ unit: "binary", maxLength: 300 }),
    fc.constantFrom(
      "",
      " ",
      "\u0000",
      "a,b\n\u0000,\ud800\n",
      '"unterminated',
      deepArray(10_000).text,
    ),
  );

  it("answers any file, as text/csv or a form, with per-row rejections or a 4xx", async () => {
    await fc.assert(
      fc.asyncProperty(
        anyText,
        fc.constantFrom("text/csv", "multipart", "application/json"),
        async (text, kind) => {
          const before = await rowCounts(t.db, tables);
          let answer: Answer;
          if (kind === "multipart") {
            const form = new FormData();
            form.set("file", new Blob([text], { type: "text/csv" }), "results.csv");
            const request = new Request(UPLOAD_URL, {
              method: "POST",
              headers: { authorization: `Bearer ${keys.writer}` },
              body: form,
            });
            answer = await readAnswer(
              await handleCsvUploadRequest(t.db, request),
              `multipart ${text}`,
            );
          } else {
            answer = await post(UPLOAD_URL, handleCsvUploadRequest, text, kind);
          }
          const after = await rowCounts(t.db, tables);
          expectAccounted(answer, null, before, after);
          expectPrototypesClean();
        },
      ),
      fuzzOptions(150),
    );
  }, 240_000);
});
