import { beforeAll, describe, expect, it, vi } from "vitest";
import { suiteWithKeys } from "../support/api-keys";
import {
  getEvents,
  makeEvent,
  makeKey,
  postEvents,
  type CloudEvent,
  type ErrorAnswer,
  type EventsPage,
} from "./support";

/*
 * GET /api/v1/events: keyset pagination on (time, seq) with type, source and time filters,
 * behind the `read` scope. The file seeds its own events once; tests only read them, except
 * the last, which writes under a source of its own.
 */

// Signed out: the routes answer to API keys alone (tests/support/no-session.ts).
vi.mock("next-auth", async () => (await import("../support/no-session")).withoutSession());

const { t, keys } = suiteWithKeys({ reader: ["read"] });
let writer: { id: string; key: string };
const seeded: CloudEvent[] = [];

const SOURCES = ["/billing/eu", "/billing/us", "/erp"];
const TYPES = ["invoice.issued", "payment.received", "erp.posting.attempted"] as const;

beforeAll(async () => {
  writer = await makeKey(t.db, ["ingest"]);
  for (let i = 0; i < 25; i++) {
    // Pairs of events share a time, so pages must split ties by seq without losing any.
    const minute = String(Math.floor(i / 2)).padStart(2, "0");
    seeded.push(
      makeEvent(TYPES[i % 3]!, {
        id: `list-${String(i).padStart(2, "0")}`,
        source: SOURCES[i % 3]!,
        time: `2026-11-02T08:${minute}:00Z`,
      }),
    );
  }
  // Sent one by one in reverse, so arrival order (seq) disagrees with time order.
  for (const event of [...seeded].reverse()) {
    const res = await postEvents(t.db, event, { key: writer.key });
    expect(res.body).toMatchObject({ accepted: 1, rejected: [] });
  }
});

async function readAll(query: Record<string, string | number | undefined>) {
  const pages: EventsPage[] = [];
  let cursor: string | undefined;
  do {
    const res = await getEvents(t.db, { ...query, cursor }, keys.reader);
    expect(res.status).toBe(200);
    pages.push(res.body);
    cursor = res.body.nextCursor ?? undefined;
  } while (cursor && pages.length < 100);
  return pages;
}

const byTime = (events: CloudEvent[]) =>
  [...events].sort((a, b) => a.time.localeCompare(b.time) || b.id.localeCompare(a.id));

describe("GET /api/v1/events", () => {
  it("returns events with their stored fields, oldest first", async () => {
    const res = await getEvents(t.db, { limit: 2 }, keys.reader);
    expect(res.status).toBe(200);
    const [first] = res.body.events;
    const expected = byTime(seeded)[0]!;
    expect(first).toMatchObject({
      id: expected.id,
      source: expected.source,
      type: expected.type,
      time: new Date(expected.time).toISOString(),
      subject: null,
      data: expected.data,
      attributes: {},
      apiKeyId: writer.id,
    });
    expect(typeof first?.receivedAt).toBe("string");
  });

  it("pages through everything with the cursor, each event exactly once", async () => {
    const pages = await readAll({ limit: 10 });
    expect(pages.map((p) => p.events.length)).toEqual([10, 10, 5]);
    expect(pages.at(-1)?.nextCursor).toBeNull();
    const ids = pages.flatMap((p) => p.events.map((e) => e.id));
    // Within a shared time, the event that arrived first (lower seq) comes first.
    expect(ids).toEqual(byTime(seeded).map((e) => e.id));
  });

  it("returns no cursor when the page is exactly the rest", async () => {
    const pages = await readAll({ limit: 25 });
    expect(pages).toHaveLength(1);
    expect(pages[0]?.nextCursor).toBeNull();
  });

  it("defaults to 100 events per page", async () => {
    const res = await getEvents(t.db, {}, keys.reader);
    expect(res.body.events).toHaveLength(25);
    expect(res.body.nextCursor).toBeNull();
  });

  it("filters by type and by source, across pages", async () => {
    const invoices = await readAll({ type: "invoice.issued", limit: 3 });
    const invoiceIds = invoices.flatMap((p) => p.events.map((e) => e.id));
    expect(invoiceIds).toEqual(
      byTime(seeded.filter((e) => e.type === "invoice.issued")).map((e) => e.id),
    );

    const erp = await readAll({ source: "/erp", limit: 4 });
    const erpEvents = erp.flatMap((p) => p.events);
    expect(erpEvents.length).toBe(8);
    expect(erpEvents.every((e) => e.source === "/erp")).toBe(true);
  });

  it("filters by time: from is inclusive, to is exclusive", async () => {
    const res = await getEvents(
      t.db,
      { from: "2026-11-02T08:03:00Z", to: "2026-11-02T08:05:00Z" },
      keys.reader,
    );
    expect(res.body.events.map((e) => e.id).sort()).toEqual([
      "list-06",
      "list-07",
      "list-08",
      "list-09",
    ]);
  });

  it("combines filters", async () => {
    const res = await getEvents(
      t.db,
      { type: "payment.received", source: "/billing/us", from: "2026-11-02T08:05:00+00:00" },
      keys.reader,
    );
    expect(res.body.events.map((e) => e.id)).toEqual(
      byTime(
        seeded.filter((e) => e.source === "/billing/us" && e.time >= "2026-11-02T08:05:00Z"),
      ).map((e) => e.id),
    );
    expect(res.body.events.length).toBeGreaterThan(0);
  });

  it("returns an empty page for a filter nothing matches", async () => {
    const res = await getEvents(t.db, { source: "/nowhere" }, keys.reader);
    expect(res.body).toEqual({ events: [], nextCursor: null });
  });

  it.each([
    ["an unknown type", { type: "invoice.voided" }],
    ["a bad time", { from: "yesterday" }],
    ["a limit over 1000", { limit: 1001 }],
    ["a limit of 0", { limit: 0 }],
  ])("400 for %s", async (_label, query) => {
    const res = await getEvents<ErrorAnswer>(t.db, query, keys.reader);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_input");
  });

  it("400 for a cursor it did not issue", async () => {
    for (const cursor of ["garbage", Buffer.from('{"t":1}').toString("base64url")]) {
      const res = await getEvents<ErrorAnswer>(t.db, { cursor }, keys.reader);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe("cursor: is not a cursor this API returned");
    }
  });

  it("needs a key with the read scope", async () => {
    expect((await getEvents(t.db, {}, null)).status).toBe(401);
    expect((await getEvents(t.db, {}, "cl_not-a-key")).status).toBe(401);
    const ingestOnly = await getEvents<ErrorAnswer>(t.db, {}, writer.key);
    expect(ingestOnly.status).toBe(403);
    expect(ingestOnly.body.error.message).toBe("The API key lacks the 'read' scope");
  });

  it("keeps its place while new events arrive", async () => {
    const source = "/tests/arriving";
    const early = [0, 1, 2].map((i) =>
      makeEvent("invoice.disputed", { source, time: `2026-11-03T00:0${i}:00Z` }),
    );
    await postEvents(t.db, early, { key: writer.key });
    const first = await getEvents(t.db, { source, limit: 2 }, keys.reader);
    expect(first.body.events.map((e) => e.id)).toEqual([early[0]!.id, early[1]!.id]);

    // One lands before the cursor (a late backfill), one after it.
    const backfill = makeEvent("invoice.disputed", { source, time: "2026-11-02T23:00:00Z" });
    const later = makeEvent("invoice.disputed", { source, time: "2026-11-03T00:09:00Z" });
    await postEvents(t.db, [backfill, later], { key: writer.key });

    const rest = await getEvents(
      t.db,
      { source, limit: 10, cursor: first.body.nextCursor ?? undefined },
      keys.reader,
    );
    expect(rest.body.events.map((e) => e.id)).toEqual([early[2]!.id, later.id]);
  });
});
