import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { EVENT_TYPES } from "@/lib/contract";
import { handleIngest } from "@/lib/ingest/http";
import { testDbForSuite } from "../support/db";
import { SOURCE, brokenEvent } from "./event-arbitraries";
import { EVENTS_URL, writeHarness } from "./write-harness";
import { deepArray, deepObject, expectPrototypesClean, fuzzOptions, toJsonText } from "./support";

/*
 * Hostile input for POST /api/v1/events, driven through the handler the route uses: valid
 * events generated from each type's schema with one to three fields broken (a wrong type, a
 * huge or boundary value, deep nesting, prototype keys, text PostgreSQL refuses), and any
 * body with any content type. Whatever arrives, the answer is a 200 with per-item
 * rejections or a 4xx with a message, never a 5xx; every item is accounted for; a refused
 * item lands in rejected_events and nowhere else that holds telemetry; and
 * Object.prototype stays as it was. Seeded: see tests/hostile/support.ts to replay. The
 * cases fuzzing found: fuzz-ingest-cases.test.ts; the CSV upload: fuzz-upload.test.ts.
 */

// No per-key ingest limit (the limiter has tests of its own), and signed out: the routes
// answer to API keys alone.
vi.mock("@/lib/env", async () => (await import("./no-ingest-limit")).withoutIngestLimit());
vi.mock("next-auth", async () => (await import("../support/no-session")).withoutSession());

const t = testDbForSuite();
const { keys, counts, post, expectAccounted } = writeHarness(t);

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
          const before = await counts();
          const answer = await post(
            EVENTS_URL,
            handleIngest,
            text,
            single ? "application/cloudevents+json" : "application/cloudevents-batch+json",
          );
          const after = await counts();
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
        const before = await counts();
        const answer = await post(EVENTS_URL, handleIngest, raw as BodyInit, type);
        const after = await counts();
        expectAccounted(answer, null, before, after);
        expectPrototypesClean();
      }),
      fuzzOptions(200),
    );
  }, 240_000);

  it("refuses a read-only key before reading the body, and changes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(brokenEvent, { minLength: 1, maxLength: 2 }), async (generated) => {
        const before = await counts();
        const answer = await post(
          EVENTS_URL,
          handleIngest,
          toJsonText(generated.map((g) => g.event)),
          "application/cloudevents-batch+json",
          keys.reader,
        );
        expect(answer.status).toBe(403);
        expect(await counts()).toEqual(before);
      }),
      fuzzOptions(30),
    );
  }, 60_000);
});
