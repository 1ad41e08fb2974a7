import { sql } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { parsePgInstant } from "@/db/instant";
import { Timestamp } from "@/lib/contract";
import { suiteWithKeys } from "../support/api-keys";
import { getEvents, makeEvent, postEvents, type EventsPage } from "./support";

/*
 * Instants across the whole documented range (0001-01-01 … 9999-12-31 UTC) come back as the
 * instant that was sent, on both engines, and pages over them never skip or repeat an event.
 * Closeline keeps instants to the millisecond: finer digits are dropped, never rounded, so
 * 23:59:59.9999999Z stays in its own day (and year 9999 stays year 9999).
 */

// Signed out: the routes answer to API keys alone (tests/support/no-session.ts).
vi.mock("next-auth", async () => (await import("../support/no-session")).withoutSession());

const { t, keys } = suiteWithKeys({ reader: ["read"], writer: ["ingest"] });

async function readAll(source: string, limit: number) {
  const events: EventsPage["events"] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const res = await getEvents(t.db, { source, limit, cursor }, keys.reader);
    expect(res.status).toBe(200);
    events.push(...res.body.events);
    cursor = res.body.nextCursor ?? undefined;
    if (!cursor) break;
  }
  return events;
}

describe("the Timestamp contract", () => {
  it.each([
    ["2026-03-05t10:00:00z", "2026-03-05T10:00:00Z"],
    ["2026-03-05t10:00:00+02:00", "2026-03-05T10:00:00+02:00"],
    ["9999-12-31T23:59:59.9999999Z", "9999-12-31T23:59:59.999Z"],
    ["2026-01-31T23:59:59.999999999+00:00", "2026-01-31T23:59:59.999+00:00"],
    ["0001-01-01T00:00:00.0001Z", "0001-01-01T00:00:00.000Z"],
    ["2026-11-01T12:00:00.5Z", "2026-11-01T12:00:00.5Z"],
  ])("accepts %s as %s", (input, normalised) => {
    expect(Timestamp.parse(input)).toBe(normalised);
  });

  it.each([
    "0000-12-31T23:59:59Z",
    "2026-11-01T12:00:00",
    "2026-11-01 12:00:00Z",
    "2026-11-01T12:00:00+14:01",
  ])("refuses %s", (input) => {
    expect(Timestamp.safeParse(input).success).toBe(false);
  });

  it("never moves an instant past its millisecond, over the whole range", () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date("0001-01-01T00:00:00Z"),
          max: new Date("9999-12-31T23:59:59.999Z"),
          noInvalidDate: true,
        }),
        fc.integer({ min: 0, max: 999_999 }),
        fc.boolean(),
        (date, extraDigits, lower) => {
          const iso = date.toISOString().replace("Z", `${String(extraDigits).padStart(6, "0")}Z`);
          const sent = lower ? iso.toLowerCase() : iso;
          expect(Date.parse(Timestamp.parse(sent))).toBe(date.getTime());
        },
      ),
      { numRuns: 500 },
    );
  });
  it("keeps what it accepts exactly as upper-casing and cutting the fraction to 3 digits would", () => {
    // An instant that needs neither is kept as sent, without the two string operations.
    const digits = (n: number) =>
      fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: n, maxLength: n });
    const instant = fc
      .tuple(
        fc.integer({ min: 1, max: 9999 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 28 }),
        fc.constantFrom("T", "t"),
        digits(2).filter((h) => Number(h) < 24),
        fc.option(
          fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: 1, maxLength: 9 }),
        ),
        fc.constantFrom("Z", "z", "+00:00", "-05:30", "+14:00", "+14:01", "+23:59"),
      )
      .map(
        ([year, month, day, t, hour, fraction, zone]) =>
          `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}${t}${hour}:07:09${fraction === null ? "" : `.${fraction}`}${zone}`,
      );
    fc.assert(
      fc.property(instant, (sent) => {
        const parsed = Timestamp.safeParse(sent);
        if (parsed.success)
          expect(parsed.data).toBe(sent.toUpperCase().replace(/(\.\d{3})\d+/, "$1"));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("reading PostgreSQL's text form of an instant", () => {
  it.each([
    ["0002-06-15 00:00:00+00", "0002-06-15T00:00:00.000Z"],
    ["0050-01-01 00:00:00.123456+00", "0050-01-01T00:00:00.123Z"],
    ["2026-03-01 10:00:00+05:30", "2026-03-01T04:30:00.000Z"],
    ["0001-01-01 00:53:28+00:53:28", "0001-01-01T00:00:00.000Z"],
    ["9999-12-31 23:59:59.999+00", "9999-12-31T23:59:59.999Z"],
    ["2026-12-06T10:00:00.000Z", "2026-12-06T10:00:00.000Z"],
  ])("%s is %s", (text, iso) => {
    expect(parsePgInstant(text).toISOString()).toBe(iso);
  });
});

describe("events across the whole range", () => {
  const TIMES = [
    "0001-01-01T00:00:00Z",
    "0002-06-15T00:00:00Z",
    "0050-01-01T12:30:00.250Z",
    "0099-12-31T23:59:59.999Z",
    "0100-01-01T00:00:00Z",
    "1969-12-31T23:59:59.999Z",
    "1970-01-01T00:00:00Z",
    "2026-03-05t10:00:00z",
    "9999-12-31T23:59:59.9999999Z",
  ];

  it("come back as the instant sent, with their date intact", async () => {
    const source = "/tests/instants/roundtrip";
    const sent = TIMES.map((time, i) =>
      makeEvent("invoice.disputed", { source, id: `rt-${i}`, time }),
    );
    const res = await postEvents(t.db, sent, { key: keys.writer });
    expect(res.body).toMatchObject({ accepted: TIMES.length, rejected: [] });
    const events = await readAll(source, 100);
    expect(events.map((e) => e.time)).toEqual(
      TIMES.map((time) => new Date(Timestamp.parse(time)).toISOString()),
    );
    expect(events.at(-1)?.time).toBe("9999-12-31T23:59:59.999Z");
  });

  it("page without skipping or repeating, whatever the page size", async () => {
    const source = "/tests/instants/paging";
    const sent = TIMES.flatMap((time, i) =>
      // Two events per instant, so ties are split by arrival order across page boundaries.
      [0, 1].map((k) => makeEvent("invoice.disputed", { source, id: `pg-${i}-${k}`, time })),
    );
    await postEvents(t.db, sent, { key: keys.writer });
    for (const limit of [1, 2, 3, 5, 100]) {
      const ids = (await readAll(source, limit)).map((e) => e.id);
      expect(ids).toEqual(sent.map((e) => e.id));
    }
  });

  it("round-trip and page exactly for random instants across the range", async () => {
    const instants = fc.sample(
      fc.tuple(
        fc.date({
          min: new Date("0001-01-01T00:00:00Z"),
          max: new Date("9999-12-31T23:59:59.999Z"),
          noInvalidDate: true,
        }),
        fc.integer({ min: 0, max: 9999 }),
      ),
      { numRuns: 60, seed: 20261206 },
    );
    const source = "/tests/instants/random";
    const sent = instants.map(([date, extra], i) =>
      makeEvent("invoice.disputed", {
        source,
        id: `rnd-${i}`,
        time: date
          .toISOString()
          .replace("Z", `${extra}z`)
          .replace("T", i % 2 ? "t" : "T"),
      }),
    );
    await postEvents(t.db, sent, { key: keys.writer });
    const expected = instants
      .map(([date], i) => ({ id: `rnd-${i}`, time: date.toISOString() }))
      .sort((a, b) => a.time.localeCompare(b.time));
    for (const limit of [7, 1000]) {
      const events = await readAll(source, limit);
      expect(events.map((e) => e.time).sort()).toEqual(expected.map((e) => e.time));
      expect(new Set(events.map((e) => e.id)).size).toBe(instants.length);
    }
  });

  it("page correctly over instants stored with microseconds", async () => {
    // Rows written before instants were cut to the millisecond can hold microseconds; the
    // cursor carries them, so such rows are neither repeated nor skipped.
    const source = "/tests/instants/micro";
    const sent = [0, 1, 2, 3].map((i) =>
      makeEvent("invoice.disputed", { source, id: `mu-${i}`, time: "2026-01-01T00:00:00.123Z" }),
    );
    await postEvents(t.db, sent, { key: keys.writer });
    await t.db.execute(
      sql`update events set time = time + make_interval(secs => 0.000400 * (seq % 2)) where source = ${source}`,
    );
    for (const limit of [1, 2, 3]) {
      const ids = (await readAll(source, limit)).map((e) => e.id);
      expect(ids.sort()).toEqual(sent.map((e) => e.id).sort());
      expect(new Set(ids).size).toBe(4);
    }
  });
});
