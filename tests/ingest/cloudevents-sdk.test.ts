import { CloudEvent, HTTP, type CloudEventV1 } from "cloudevents";
import { desc, eq } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { events, rejectedEvents } from "@/db/schema";
import { EVENT_TYPES } from "@/lib/contract";
import { handleIngest } from "@/lib/ingest/http";
import { suiteWithKeys } from "../support/api-keys";
import { EVENTS_URL, getEvents, postEvents, type EventsPage, type IngestAnswer } from "./support";

/*
 * The official CloudEvents SDK as the client: what its HTTP binding sends, in binary mode
 * (attributes in ce-* headers, data in the body) and in structured mode (data or
 * data_base64), is what Closeline stores; what it refuses is kept with every attribute, so it
 * can be replayed.
 */

// Signed out: the routes answer to API keys alone (tests/support/no-session.ts).
vi.mock("next-auth", async () => (await import("../support/no-session")).withoutSession());

const { t, keys } = suiteWithKeys({ writer: ["ingest"], reader: ["read"] });

async function send(message: { headers: Record<string, unknown>; body: unknown }) {
  const headers = new Headers({ authorization: `Bearer ${keys.writer}` });
  for (const [name, value] of Object.entries(message.headers)) headers.set(name, String(value));
  const response = await handleIngest(
    t.db,
    new Request(EVENTS_URL, { method: "POST", headers, body: message.body as BodyInit }),
  );
  return { status: response.status, body: (await response.json()) as IngestAnswer };
}

async function stored(source: string) {
  const res = await getEvents<EventsPage>(t.db, { source }, keys.reader);
  return res.body.events;
}

const invoice = EVENT_TYPES["invoice.issued"].example;

/** The ce-* headers of a binary-mode invoice.issued sent at a fixed time, and `more`. */
const binaryHeaders = (id: string, source: string, more: Record<string, string>) => ({
  "ce-specversion": "1.0",
  "ce-id": id,
  "ce-source": source,
  "ce-type": "invoice.issued",
  "ce-time": "2026-11-02T08:00:00Z",
  ...more,
});

/** An invoice.issued event as the SDK makes it: the contract's example data unless given. */
const sdkInvoice = (id: string, source: string, attributes: Partial<CloudEventV1<unknown>> = {}) =>
  new CloudEvent({ id, source, type: "invoice.issued", data: invoice, ...attributes });

describe("binary mode", () => {
  it("stores the event the SDK's HTTP.binary describes, extensions included", async () => {
    const event = sdkInvoice("sdk-binary-1", "/sdk/binary", {
      time: "2026-11-02T08:00:00Z",
      subject: "INV-1",
      traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    });
    const res = await send(HTTP.binary(event));
    expect(res).toEqual({ status: 200, body: { accepted: 1, duplicates: 0, rejected: [] } });
    const [row] = await stored("/sdk/binary");
    expect(row).toMatchObject({
      id: "sdk-binary-1",
      type: "invoice.issued",
      time: "2026-11-02T08:00:00.000Z",
      subject: "INV-1",
      data: invoice,
      attributes: {
        traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        datacontenttype: "application/json; charset=utf-8",
      },
    });
  });

  it("counts a binary retry of the same event once", async () => {
    const event = sdkInvoice("sdk-binary-retry", "/sdk/binary-retry");
    expect((await send(HTTP.binary(event))).body.accepted).toBe(1);
    expect((await send(HTTP.binary(event))).body).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await stored("/sdk/binary-retry")).toHaveLength(1);
  });

  it("refuses invalid data with its reason and keeps the ce-* attributes for a replay", async () => {
    const event = sdkInvoice("sdk-binary-bad", "/sdk/binary-bad", {
      time: "2026-11-02T08:00:00Z",
      data: { ...invoice, amountMinor: -5 },
    });
    const res = await send(HTTP.binary(event));
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(0);
    expect(res.body.rejected).toEqual([
      { index: 0, id: "sdk-binary-bad", errors: [expect.stringMatching(/^data\.amountMinor:/)] },
    ]);
    const [kept] = await t.db
      .select()
      .from(rejectedEvents)
      .where(eq(rejectedEvents.eventId, "sdk-binary-bad"))
      .orderBy(desc(rejectedEvents.id));
    expect(kept?.payload).toMatchObject({
      specversion: "1.0",
      id: "sdk-binary-bad",
      source: "/sdk/binary-bad",
      type: "invoice.issued",
      time: "2026-11-02T08:00:00.000Z",
      data: { amountMinor: -5 },
    });
  });

  it("refuses a body that is not JSON with a reason, keeping it as data_base64", async () => {
    const res = await send({
      headers: binaryHeaders("sdk-binary-text", "/sdk/binary-text", {
        "content-type": "text/plain",
      }),
      body: "not json",
    });
    expect(res.body.accepted).toBe(0);
    expect(res.body.rejected[0]?.errors).toContain(
      "data_base64: Closeline events carry JSON data; datacontenttype is text/plain",
    );
    const [kept] = await t.db
      .select()
      .from(rejectedEvents)
      .where(eq(rejectedEvents.eventId, "sdk-binary-text"));
    expect(kept?.payload).toMatchObject({
      data_base64: Buffer.from("not json").toString("base64"),
      datacontenttype: "text/plain",
    });
  });

  it("reads percent-encoded header values", async () => {
    const res = await send({
      headers: binaryHeaders("sdk-binary-encoded", "/sdk/binary-encoded", {
        "ce-subject": "caf%C3%A9%20%22A%22",
        "content-type": "application/json",
      }),
      body: JSON.stringify(invoice),
    });
    expect(res.body.accepted).toBe(1);
    expect((await stored("/sdk/binary-encoded"))[0]?.subject).toBe('café "A"');
  });

  it("stores whatever valid event the SDK makes, in either mode", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          id: fc.stringMatching(/^[A-Za-z0-9._-]{1,40}$/),
          subject: fc.option(fc.string({ minLength: 1, maxLength: 40 }), { nil: undefined }),
          extension: fc.option(fc.stringMatching(/^[ -~]{0,40}$/), { nil: undefined }),
          binary: fc.boolean(),
          base64: fc.boolean(),
        }),
        async ({ id, subject, extension, binary, base64 }) => {
          const source = `/sdk/property/${id}`;
          const event = sdkInvoice(id, source, {
            time: "2026-11-02T08:00:00Z",
            datacontenttype: "application/json",
            ...(subject === undefined ? {} : { subject }),
            ...(extension === undefined ? {} : { myext: extension }),
            data: base64 && !binary ? Buffer.from(JSON.stringify(invoice)) : invoice,
          });
          const res = await send(binary ? HTTP.binary(event) : HTTP.structured(event));
          expect(res.body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
          const [row] = await stored(source);
          expect(row?.data).toEqual(invoice);
          expect(row?.subject).toBe(subject ?? null);
          if (extension !== undefined) expect(row?.attributes.myext).toBe(extension);
          expect(row?.attributes).not.toHaveProperty("data_base64");
        },
      ),
      { numRuns: 40, seed: 1206 },
    );
  });
});

describe("structured mode", () => {
  it("decodes data_base64 from the SDK's HTTP.structured", async () => {
    const event = sdkInvoice("sdk-structured-b64", "/sdk/structured-b64", {
      datacontenttype: "application/json",
      data: Buffer.from(JSON.stringify(invoice)),
    });
    const message = HTTP.structured(event);
    expect(JSON.parse(String(message.body))).toHaveProperty("data_base64");
    expect((await send(message)).body.accepted).toBe(1);
    expect((await stored("/sdk/structured-b64"))[0]?.data).toEqual(invoice);
  });

  it("refuses data sent both ways, or base64 that is not JSON", async () => {
    const base = {
      specversion: "1.0",
      source: "/sdk/structured-bad",
      type: "invoice.issued",
      time: "2026-11-02T08:00:00Z",
    };
    const res = await postEvents(
      t.db,
      [
        { ...base, id: "both", data: invoice, data_base64: "e30=" },
        { ...base, id: "not-json", data_base64: Buffer.from("<xml/>").toString("base64") },
        { ...base, id: "not-base64", data_base64: "%%%" },
      ],
      { key: keys.writer },
    );
    expect(res.body.rejected).toEqual([
      { index: 0, id: "both", errors: ["data_base64: must not be sent together with data"] },
      { index: 1, id: "not-json", errors: ["data_base64: does not decode to JSON text"] },
      { index: 2, id: "not-base64", errors: ["data_base64: must be a base64 string"] },
    ]);
  });
});

describe("__proto__ keys", () => {
  it("are refused with a reason, in data and in extensions, never dropped", async () => {
    const raw = `[
      {"specversion":"1.0","id":"proto-data","source":"/sdk/proto","type":"invoice.issued","time":"2026-11-02T08:00:00Z","data":${JSON.stringify(invoice).replace("{", '{"__proto__":{"x":1},')}},
      {"specversion":"1.0","id":"proto-ext","source":"/sdk/proto","type":"invoice.issued","time":"2026-11-02T08:00:00Z","__proto__":"x","data":${JSON.stringify(invoice)}},
      {"specversion":"1.0","id":"fine","source":"/sdk/proto","type":"invoice.issued","time":"2026-11-02T08:00:00Z","data":${JSON.stringify(invoice)}}
    ]`;
    const res = await postEvents(t.db, null, { key: keys.writer, raw });
    expect(res.body.accepted).toBe(1);
    expect(res.body.rejected).toEqual([
      {
        index: 0,
        id: "proto-data",
        errors: ['data: has a key named "__proto__", which Closeline does not accept'],
      },
      {
        index: 1,
        id: "proto-ext",
        errors: ['(event): has a key named "__proto__", which Closeline does not accept'],
      },
    ]);
    const rows = await t.db.select().from(events).where(eq(events.source, "/sdk/proto"));
    expect(rows.map((r) => r.eventId)).toEqual(["fine"]);
  });
});
