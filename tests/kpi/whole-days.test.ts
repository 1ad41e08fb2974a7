import { PgDialect } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import { planRollupReads } from "@/db/queries/rollup-reads";
import { splitWholeDays, type PartDay } from "@/db/queries/whole-days";
import { DAY, HOUR } from "./support";

/*
 * Which part-days are read row by row and which as their day's row minus the rest of the day
 * (db/queries/whole-days.ts). Both readings give the same sums, which the KPI tests check
 * against raw recounts; this checks that the cheaper one is chosen.
 */

const START = Date.parse("2025-03-01T00:00:00Z");
const at = (ms: number) => new Date(ms);
const LONG_AFTER = at(START + 400 * DAY);
const dialect = new PgDialect();

/** A part as plain data: its range, and the day and ranges subtracted when read via its day. */
function describePart(part: PartDay) {
  return {
    from: part.from.toISOString(),
    to: part.to.toISOString(),
    viaDay: part.viaDay && {
      day: dialect.sqlToQuery(part.viaDay.day).params[0],
      minus: part.viaDay.minus.map(([a, b]) => [a.toISOString(), b.toISOString()]),
    },
  };
}

const split = (from: number, to: number, now = LONG_AFTER, allowDays = true) => {
  const { days, parts } = splitWholeDays(
    { from: at(from), to: at(to), entity: null },
    allowDays,
    now,
  );
  return {
    days: days && [days.from.toISOString(), days.to.toISOString()],
    parts: parts.map(describePart),
  };
};

describe("splitWholeDays", () => {
  it("reads a short part-day (a month from 23:00) row by row", () => {
    // From 23:00: the part is 1 hour, the rest of its day 23 hours: read the part itself.
    expect(split(START + 23 * HOUR, START + 30 * DAY).parts).toEqual([
      { from: "2025-03-01T23:00:00.000Z", to: "2025-03-02T00:00:00.000Z", viaDay: null },
    ]);
  });

  it("reads a part-day longer than the rest of its day as the day minus the rest", () => {
    expect(split(START + 2 * HOUR, START + 3 * DAY + 20 * HOUR)).toEqual({
      days: ["2025-03-02T00:00:00.000Z", "2025-03-04T00:00:00.000Z"],
      parts: [
        {
          from: "2025-03-01T02:00:00.000Z",
          to: "2025-03-02T00:00:00.000Z",
          viaDay: {
            day: "2025-03-01",
            minus: [["2025-03-01T00:00:00.000Z", "2025-03-01T02:00:00.000Z"]],
          },
        },
        {
          from: "2025-03-04T00:00:00.000Z",
          to: "2025-03-04T20:00:00.000Z",
          viaDay: {
            day: "2025-03-04",
            minus: [["2025-03-04T20:00:00.000Z", "2025-03-05T00:00:00.000Z"]],
          },
        },
      ],
    });
  });

  it("counts the future as empty: a range up to the next hour reads today via its day", () => {
    const now = at(START + 3 * DAY + 2 * HOUR + 10 * 60_000);
    const { parts } = split(START + 3 * HOUR, START + 3 * DAY + 3 * HOUR, now);
    // Today: 3 hours so far against a rest (03:00–24:00) that has not happened yet.
    expect(parts[1]).toEqual({
      from: "2025-03-04T00:00:00.000Z",
      to: "2025-03-04T03:00:00.000Z",
      viaDay: {
        day: "2025-03-04",
        minus: [["2025-03-04T03:00:00.000Z", "2025-03-05T00:00:00.000Z"]],
      },
    });
    // The same range looked at a year later: 3 hours against 21, read row by row.
    expect(split(START + 3 * HOUR, START + 3 * DAY + 3 * HOUR).parts[1]!.viaDay).toBeNull();
  });

  it("splits a day-long range between two midnights into two part-days and no whole day", () => {
    expect(split(START + 6 * HOUR, START + DAY + 6 * HOUR)).toEqual({
      days: null,
      parts: [
        expect.objectContaining({ from: "2025-03-01T06:00:00.000Z", viaDay: expect.anything() }),
        expect.objectContaining({ to: "2025-03-02T06:00:00.000Z", viaDay: null }),
      ],
    });
  });

  it("subtracts both ends of the day from a range inside it when they are shorter", () => {
    expect(split(START + 2 * HOUR, START + 21 * HOUR).parts).toEqual([
      {
        from: "2025-03-01T02:00:00.000Z",
        to: "2025-03-01T21:00:00.000Z",
        viaDay: {
          day: "2025-03-01",
          minus: [
            ["2025-03-01T00:00:00.000Z", "2025-03-01T02:00:00.000Z"],
            ["2025-03-01T21:00:00.000Z", "2025-03-02T00:00:00.000Z"],
          ],
        },
      },
    ]);
  });

  it("leaves the range whole without days (an hourly series), and empty when it is empty", () => {
    expect(split(START + 2 * HOUR, START + 40 * HOUR, LONG_AFTER, false)).toEqual({
      days: null,
      parts: [{ from: "2025-03-01T02:00:00.000Z", to: "2025-03-02T16:00:00.000Z", viaDay: null }],
    });
    expect(split(START + 2 * HOUR, START + 2 * HOUR)).toEqual({ days: null, parts: [] });
  });
});

describe("planRollupReads (whole months)", () => {
  const plan = (from: number, to: number, now = LONG_AFTER) => {
    const { raw, ...rest } = planRollupReads({ from: at(from), to: at(to), entity: null }, now);
    return {
      ...rest,
      raw: raw.map(({ range: [a, b], sign }) => [a.toISOString(), b.toISOString(), sign]),
    };
  };

  it("reads the last 30 days up to now as this month, less its days to come, and last month's days", () => {
    const now = Date.parse("2026-11-26T03:00:00Z");
    expect(plan(now - 30 * DAY, now, at(now))).toEqual({
      months: ["2026-11-01"],
      addDays: [{ first: "2026-10-27", last: "2026-11-01" }],
      // Empty (not begun), but taken away all the same: the sums stay exact whatever they hold.
      subtractDays: [{ first: "2026-11-27", last: "2026-12-01" }],
      raw: [
        ["2026-10-27T00:00:00.000Z", "2026-10-27T03:00:00.000Z", -1],
        ["2026-11-26T03:00:00.000Z", "2026-11-27T00:00:00.000Z", -1],
      ],
    });
  });

  it("takes a month's days outside the range away from its row when they are fewer", () => {
    // 2025-03-03 05:00 to 2025-04-02 07:00: March less the 1st and 2nd, then April's days.
    expect(plan(START + 2 * DAY + 5 * HOUR, START + 32 * DAY + 7 * HOUR)).toEqual({
      months: ["2025-03-01"],
      addDays: [{ first: "2025-04-01", last: "2025-04-02" }],
      subtractDays: [{ first: "2025-03-01", last: "2025-03-03" }],
      raw: [
        ["2025-03-03T00:00:00.000Z", "2025-03-03T05:00:00.000Z", -1],
        ["2025-04-02T00:00:00.000Z", "2025-04-02T07:00:00.000Z", 1],
      ],
    });
  });

  it("reads a calendar month as its row alone, and a few days as days", () => {
    expect(plan(START, START + 31 * DAY)).toEqual({
      months: ["2025-03-01"],
      addDays: [],
      subtractDays: [],
      raw: [],
    });
    expect(plan(START + 10 * DAY, START + 20 * DAY)).toEqual({
      months: [],
      addDays: [{ first: "2025-03-11", last: "2025-03-21" }],
      subtractDays: [],
      raw: [],
    });
    expect(plan(START, START)).toEqual({ months: [], addDays: [], subtractDays: [], raw: [] });
  });
});
