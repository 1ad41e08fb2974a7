import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { EVENT_TYPES } from "@/lib/contract";
import { MAX_JSON_DEPTH, TOO_DEEP_MARKER } from "@/lib/contract/storable";
import { handleIngest } from "@/lib/ingest/http";
import { queryRows } from "@/db/rows";
import { sql } from "drizzle-orm";
import { testDbForSuite } from "../support/db";
import { SOURCE } from "./event-arbitraries";
import { EVENTS_URL, type IngestBody, writeHarness } from "./write-harness";
import { ONE_MB, deepArray, expectPrototypesClean, toJsonText, withOwnKey } from "./support";

/*
 * POST /api/v1/events: the cases fuzzing found or must always cover (fuzz-ingest.test.ts),
 * each pinned as a test of its own with the answer it must get.
 */

// No per-key ingest limit (the limiter has tests of its own), and signed out: the routes
// answer to API keys alone.
vi.mock("@/lib/env", async () => (await import("./no-ingest-limit")).withoutIngestLimit());
vi.mock("next-auth", async () => (await import("../support/no-session")).withoutSession());

const t = testDbForSuite();
const { counts, post, expectAccounted } = writeHarness(t);

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
    const before = await counts();
    const answer = await post(EVENTS_URL, handleIngest, text, "application/cloudevents+json");
    expectAccounted(answer, 1, before, await counts());
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
    const before = await counts();
    const answer = await post(
      EVENTS_URL,
      handleIngest,
      deepArray(100_000).text,
      "application/json",
    );
    expect(answer.status).toBe(200);
    expectAccounted(answer, 1, before, await counts());
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
