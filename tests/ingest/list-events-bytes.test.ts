import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { MAX_EVENT_PAGE_BYTES, streamEventsPage } from "@/lib/events/list";
import { suiteWithKeys } from "../support/api-keys";
import { getEvents, makeEvent, postEvents, type EventsPage } from "./support";

/*
 * A page of events is bounded by bytes as well as by count: large stored events (extension
 * attributes are kept, so an event can be megabytes) cut a page short, with a cursor that
 * continues exactly where it stopped, and the answer streams out a few rows at a time.
 */

// Signed out: the routes answer to API keys alone (tests/support/no-session.ts).
vi.mock("next-auth", async () => (await import("../support/no-session")).withoutSession());

const { t, keys } = suiteWithKeys({ reader: ["read"], writer: ["ingest"] });
const MB = 1024 * 1024;

async function readAll(source: string, limit: number) {
  const pages: EventsPage[] = [];
  let cursor: string | undefined;
  do {
    const res = await getEvents(t.db, { source, limit, cursor }, keys.reader);
    expect(res.status).toBe(200);
    pages.push(res.body);
    cursor = res.body.nextCursor ?? undefined;
  } while (cursor && pages.length < 200);
  return pages;
}

describe("GET /api/v1/events over large events", () => {
  it("cuts a page at the byte limit and continues exactly where it stopped", async () => {
    const source = "/tests/bytes/large";
    const sent = Array.from({ length: 10 }, (_, i) =>
      makeEvent("invoice.disputed", {
        source,
        id: `big-${i}`,
        time: `2026-11-02T08:00:0${i}Z`,
        "x-blob": "x".repeat(MB),
      } as never),
    );
    for (let i = 0; i < sent.length; i += 3) {
      const res = await postEvents(t.db, sent.slice(i, i + 3), { key: keys.writer });
      expect(res.body.rejected).toEqual([]);
    }
    const pages = await readAll(source, 1000);
    const perPage = Math.floor(MAX_EVENT_PAGE_BYTES / MB);
    expect(pages.map((p) => p.events.length)).toEqual([perPage - 1, perPage - 1, perPage - 1, 1]);
    expect(pages.flatMap((p) => p.events.map((e) => e.id))).toEqual(sent.map((e) => e.id));
    for (const page of pages.slice(0, -1)) {
      expect(Buffer.byteLength(JSON.stringify(page))).toBeLessThanOrEqual(
        MAX_EVENT_PAGE_BYTES + 1024,
      );
    }
  });

  it("sends an event larger than the limit alone on its page rather than stalling", async () => {
    const page = await streamEventsPage(
      t.db,
      new URLSearchParams({ source: "/tests/bytes/large" }),
      1000,
    );
    const body = JSON.parse(await new Response(page).text()) as EventsPage;
    expect(body.events.map((e) => e.id)).toEqual(["big-0"]);
    expect(body.nextCursor).not.toBeNull();
  });

  it("pages exactly once through events of any size, for any limit and byte budget", async () => {
    const source = "/tests/bytes/mixed";
    const sizes = fc.sample(fc.integer({ min: 0, max: 3000 }), { numRuns: 40, seed: 7 });
    const sent = sizes.map((size, i) =>
      makeEvent("invoice.disputed", {
        source,
        id: `mixed-${String(i).padStart(2, "0")}`,
        time: `2026-11-02T09:00:${String(Math.floor(i / 3)).padStart(2, "0")}Z`,
        "x-pad": "p".repeat(size),
      } as never),
    );
    await postEvents(t.db, sent, { key: keys.writer });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 40_000 }),
        async (limit, budget) => {
          const ids: string[] = [];
          let cursor: string | undefined;
          for (let pages = 0; pages < 100; pages++) {
            const params = new URLSearchParams({ source, limit: String(limit) });
            if (cursor) params.set("cursor", cursor);
            const body = JSON.parse(
              await new Response(await streamEventsPage(t.db, params, budget)).text(),
            ) as EventsPage;
            expect(body.events.length).toBeGreaterThanOrEqual(1);
            expect(body.events.length).toBeLessThanOrEqual(limit);
            const size = body.events.reduce((n, e) => n + Buffer.byteLength(JSON.stringify(e)), 0);
            if (body.events.length > 1) expect(size).toBeLessThanOrEqual(budget);
            ids.push(...body.events.map((e) => e.id));
            cursor = body.nextCursor ?? undefined;
            if (!cursor) break;
          }
          expect(ids).toEqual(sent.map((e) => e.id));
        },
      ),
      { numRuns: 25, seed: 11 },
    );
  });
});
