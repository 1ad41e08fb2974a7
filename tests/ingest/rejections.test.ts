import { desc, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { events, invoices, rejectedEvents } from "@/db/schema";
import { handleIngest } from "@/lib/ingest/http";
import { MAX_BATCH_EVENTS, MAX_BODY_BYTES } from "@/lib/ingest/request";
import { testDbForSuite } from "../support/db";
import {
  EVENTS_URL,
  makeEvent,
  makeKey,
  postEvents,
  type CloudEvent,
  type ErrorAnswer,
} from "./support";

/*
 * Every way a request or an item can be refused, with the status code and the message a
 * sender needs to fix it, and proof that what was refused is kept.
 */

const t = testDbForSuite();
let ingest: { id: string; key: string };

beforeAll(async () => {
  ingest = await makeKey(t.db, ["ingest"]);
});

async function latestRejected() {
  const [row] = await t.db.select().from(rejectedEvents).orderBy(desc(rejectedEvents.id)).limit(1);
  return row;
}

async function countEvents() {
  return (await t.db.select({ seq: events.seq }).from(events)).length;
}

describe("request-level rejections", () => {
  it("400 when the body is not JSON, and keeps the raw body", async () => {
    const raw = '{"specversion": "1.0", "id": ';
    const res = await postEvents<ErrorAnswer>(t.db, null, { key: ingest.key, raw });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.body.error.code).toBe("invalid_input");
    expect(res.body.error.message).toMatch(/^body: not valid JSON/);
    const row = await latestRejected();
    expect(row).toMatchObject({
      apiKeyId: ingest.id,
      channel: "api",
      batchIndex: null,
      payload: { raw },
    });
    expect(row?.errors[0]).toMatch(/^body: not valid JSON/);
  });

  it("400 when the body is not valid UTF-8", async () => {
    const request = new Request(EVENTS_URL, {
      method: "POST",
      headers: { authorization: `Bearer ${ingest.key}`, "content-type": "application/json" },
      body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
    });
    const res = await handleIngest(t.db, request);
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorAnswer).error.message).toMatch(/UTF-8/);
  });

  it.each([
    ["a number", "42"],
    ["a string", '"an event"'],
    ["null", "null"],
    ["true", "true"],
  ])("400 when the body is %s, not an event or an array", async (_label, raw) => {
    const res = await postEvents<ErrorAnswer>(t.db, null, {
      key: ingest.key,
      raw,
      contentType: "application/cloudevents+json",
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe("body: must be a CloudEvent object or an array of them");
    expect((await latestRejected())?.payload).toEqual({ raw });
  });

  it("400 when a batch media type carries a single object", async () => {
    const res = await postEvents<ErrorAnswer>(t.db, makeEvent("invoice.issued"), {
      key: ingest.key,
      contentType: "application/cloudevents-batch+json",
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/must be a JSON array of events/);
  });

  it("200 for an empty batch, with nothing accepted or kept", async () => {
    const before = await countEvents();
    const rejectedBefore = await latestRejected();
    const res = await postEvents(t.db, [], { key: ingest.key });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accepted: 0, duplicates: 0, rejected: [] });
    expect(await countEvents()).toBe(before);
    expect((await latestRejected())?.id).toBe(rejectedBefore?.id);
  });

  it("415 for a request with no Content-Type and no ce-* headers", async () => {
    const res = await postEvents<ErrorAnswer>(t.db, makeEvent("invoice.issued"), {
      key: ingest.key,
      contentType: null,
    });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe("unsupported_media_type");
    expect(res.body.error.message).toMatch(/A Content-Type is required/);
  });

  it(`400 when the batch holds more than ${MAX_BATCH_EVENTS} events, and nothing is stored`, async () => {
    const before = await countEvents();
    const batch = Array.from({ length: MAX_BATCH_EVENTS + 1 }, () => makeEvent("invoice.disputed"));
    const res = await postEvents<ErrorAnswer>(t.db, batch, { key: ingest.key });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      `body: a batch holds at most ${MAX_BATCH_EVENTS} events; got ${MAX_BATCH_EVENTS + 1}`,
    );
    expect(await countEvents()).toBe(before);
  });

  it(`accepts exactly ${MAX_BATCH_EVENTS} events`, async () => {
    const batch = Array.from({ length: MAX_BATCH_EVENTS }, () => makeEvent("invoice.disputed"));
    const res = await postEvents(t.db, batch, { key: ingest.key });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accepted: MAX_BATCH_EVENTS, duplicates: 0, rejected: [] });
  });

  it("401 without an Authorization header, before the body is looked at", async () => {
    const before = (await t.db.select().from(rejectedEvents)).length;
    const res = await postEvents<ErrorAnswer>(t.db, makeEvent("invoice.issued"), { key: null });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="closeline"');
    expect(res.body.error.code).toBe("unauthenticated");
    // An anonymous sender cannot fill the rejected-events table either.
    await postEvents(t.db, null, { key: null, raw: "not json" });
    expect((await t.db.select().from(rejectedEvents)).length).toBe(before);
  });

  it("401 with a malformed Authorization header", async () => {
    const request = new Request(EVENTS_URL, {
      method: "POST",
      headers: { authorization: `Basic ${ingest.key}`, "content-type": "application/json" },
      body: JSON.stringify(makeEvent("invoice.issued")),
    });
    expect((await handleIngest(t.db, request)).status).toBe(401);
  });

  it("401 with an unknown key", async () => {
    const res = await postEvents<ErrorAnswer>(t.db, makeEvent("invoice.issued"), {
      key: `cl_${"x".repeat(43)}`,
    });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toBe("The API key is unknown or revoked");
  });

  it("403 with a key that only has the read scope", async () => {
    const reader = await makeKey(t.db, ["read"]);
    const event = makeEvent("invoice.issued");
    const res = await postEvents<ErrorAnswer>(t.db, event, { key: reader.key });
    expect(res.status).toBe(403);
    expect(res.body.error).toEqual({
      code: "forbidden",
      message: "The API key lacks the 'ingest' scope",
    });
    expect(await t.db.select().from(events).where(eq(events.eventId, event.id))).toEqual([]);
  });

  it(`413 when the body passes ${MAX_BODY_BYTES} bytes`, async () => {
    const padding = "x".repeat(MAX_BODY_BYTES);
    const event = makeEvent("invoice.issued", { padding });
    const res = await postEvents<ErrorAnswer>(t.db, event, { key: ingest.key });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe("payload_too_large");
    expect(await t.db.select().from(events).where(eq(events.eventId, event.id))).toEqual([]);
  });

  it("413 from a declared Content-Length alone", async () => {
    const request = new Request(EVENTS_URL, {
      method: "POST",
      headers: {
        authorization: `Bearer ${ingest.key}`,
        "content-type": "application/json",
        "content-length": String(MAX_BODY_BYTES + 1),
      },
      body: "{}",
    });
    const res = await handleIngest(t.db, request);
    expect(res.status).toBe(413);
  });

  it("accepts a body just under the limit", async () => {
    const event = makeEvent("invoice.issued", { padding: "" });
    const overhead = JSON.stringify(event).length;
    event.padding = "y".repeat(MAX_BODY_BYTES - overhead);
    expect(JSON.stringify(event).length).toBe(MAX_BODY_BYTES);
    const res = await postEvents(t.db, event, { key: ingest.key });
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(1);
  });

  it.each(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])(
    "415 for Content-Type %s",
    async (contentType) => {
      const res = await postEvents<ErrorAnswer>(t.db, makeEvent("invoice.issued"), {
        key: ingest.key,
        contentType,
      });
      expect(res.status).toBe(415);
      expect(res.body.error.code).toBe("unsupported_media_type");
      expect(res.body.error.message).toMatch(/application\/cloudevents\+json/);
    },
  );

  it("takes media type parameters and case in stride", async () => {
    const res = await postEvents(t.db, makeEvent("payment.received"), {
      key: ingest.key,
      contentType: "Application/CloudEvents+JSON; charset=utf-8",
    });
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(1);
  });
});

describe("item-level rejections name the field", () => {
  async function rejectOne(event: unknown) {
    const res = await postEvents(t.db, event, { key: ingest.key });
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(0);
    expect(res.body.rejected).toHaveLength(1);
    return res.body.rejected[0]!;
  }

  it("a negative amount", async () => {
    const event = makeEvent("invoice.issued", {}, { amountMinor: -1 });
    const item = await rejectOne(event);
    expect(item).toEqual({
      index: 0,
      id: event.id,
      errors: ["data.amountMinor: must not be negative"],
    });
  });

  it("a fractional amount, a lower-case currency and a missing customer at once", async () => {
    const event = makeEvent(
      "invoice.issued",
      {},
      { amountMinor: 12.5, currency: "usd", customerId: undefined },
    );
    const { errors } = await rejectOne(event);
    expect(errors).toEqual(
      expect.arrayContaining([
        "data.amountMinor: Invalid input: expected int, received number",
        "data.currency: must be a three-letter upper-case ISO 4217 code",
        expect.stringMatching(/^data\.customerId: /),
      ]),
    );
    expect(errors.every((e) => /^data\.(amountMinor|currency|customerId): /.test(e))).toBe(true);
  });

  it("a currency that is not ISO 4217", async () => {
    const { errors } = await rejectOne(makeEvent("payment.received", {}, { currency: "XYZ" }));
    expect(errors).toEqual(["data.currency: is not an ISO 4217 currency code"]);
  });

  it("an enum value outside the contract", async () => {
    const { errors } = await rejectOne(
      makeEvent("erp.posting.attempted", {}, { status: "pending", attempt: 0 }),
    );
    expect(errors).toHaveLength(2);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^data\.status: /),
        "data.attempt: must be 1 or more",
      ]),
    );
  });

  it("a window that ends before it starts", async () => {
    const { errors } = await rejectOne(
      makeEvent("usage.checkpoint", {}, { windowEnd: "2026-11-01T09:00:00Z" }),
    );
    expect(errors).toEqual(["data.windowEnd: must be after windowStart"]);
  });

  it("a time without a zone", async () => {
    const { errors } = await rejectOne(
      makeEvent("payment.received", { time: "2026-11-01 12:00" }, { receivedAt: "yesterday" }),
    );
    expect(errors).toEqual([
      "time: must be an RFC 3339 date-time with a time zone",
      "data.receivedAt: must be an RFC 3339 date-time with a time zone",
    ]);
  });

  it("envelope attributes: specversion, id, source", async () => {
    const { errors, id } = await rejectOne(
      makeEvent("invoice.issued", { specversion: "0.3", id: "", source: "" }),
    );
    expect(id).toBeNull();
    expect(errors).toEqual(
      expect.arrayContaining([
        'specversion: must be "1.0"',
        "id: must not be empty",
        "source: must not be empty",
      ]),
    );
  });

  it("missing data", async () => {
    const event = makeEvent("invoice.issued");
    delete event.data;
    const { errors } = await rejectOne(event);
    expect(errors).toEqual(["data: is required for invoice.issued"]);
  });

  it("an unknown type, with the list of known ones", async () => {
    const event = makeEvent("invoice.issued", { type: "invoice.voided" });
    const { errors } = await rejectOne(event);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^type: unknown event type "invoice\.voided"; expected one of /);
    expect(errors[0]).toContain("usage.checkpoint");
    expect(errors[0]).toContain("contract.amended");
  });

  it("an item that is not an object", async () => {
    const res = await postEvents(t.db, ["not an event"], { key: ingest.key });
    expect(res.body.rejected).toEqual([
      { index: 0, id: null, errors: ["(event): must be a JSON object"] },
    ]);
  });
});

describe("rejected items are kept for inspection and replay", () => {
  it("stores payload, errors, identity, index and the sending key", async () => {
    const bad: CloudEvent = makeEvent(
      "invoice.issued",
      { source: "/tests/kept", extra: "kept too" },
      { amountMinor: -5, note: "whole payload" },
    );
    const res = await postEvents(t.db, [makeEvent("payment.received"), bad], { key: ingest.key });
    expect(res.body.rejected).toEqual([
      { index: 1, id: bad.id, errors: ["data.amountMinor: must not be negative"] },
    ]);
    const [row] = await t.db
      .select()
      .from(rejectedEvents)
      .where(eq(rejectedEvents.eventId, bad.id));
    expect(row).toMatchObject({
      apiKeyId: ingest.id,
      channel: "api",
      batchIndex: 1,
      source: "/tests/kept",
      eventId: bad.id,
      type: "invoice.issued",
      payload: bad,
      errors: ["data.amountMinor: must not be negative"],
      resolvedAt: null,
    });
    expect(row?.receivedAt).toBeInstanceOf(Date);
    expect(await t.db.select().from(invoices).where(eq(invoices.eventId, bad.id))).toEqual([]);
  });

  it("stores a non-object item as it was sent", async () => {
    await postEvents(t.db, [17, makeEvent("invoice.disputed")], { key: ingest.key });
    const [row] = await t.db
      .select()
      .from(rejectedEvents)
      .where(eq(rejectedEvents.batchIndex, 0))
      .orderBy(desc(rejectedEvents.id))
      .limit(1);
    expect(row).toMatchObject({ payload: 17, source: null, eventId: null, type: null });
  });
});
