import { describe, expect, it } from "vitest";
import {
  dueOccurrence,
  latestOccurrence,
  nextOccurrence,
  zonedInstant,
  type DigestSchedule,
} from "@/lib/digests/schedule";

/*
 * When digests are due: a local time stays that local time across daylight-saving changes,
 * a time the zone skips goes out just after the gap, one it repeats goes out once (the first
 * time), and a digest whose time passed unseen is due once, for its latest period only.
 */

const utc = (iso: string) => new Date(iso);
const daily = (localTime: string, timeZone: string): DigestSchedule => ({
  cadence: "daily",
  weekday: null,
  localTime,
  timeZone,
});
const mondays = (localTime: string, timeZone: string): DigestSchedule => ({
  cadence: "weekly",
  weekday: 1,
  localTime,
  timeZone,
});

describe("local time to instant", () => {
  it.each([
    // 08:00 in New York stays 08:00 across the spring change (UTC−5 → UTC−4).
    ["2026-03-07", "08:00", "America/New_York", "2026-03-07T13:00:00.000Z"],
    ["2026-03-08", "08:00", "America/New_York", "2026-03-08T12:00:00.000Z"],
    // A time the spring change skips goes out just after the gap: 02:30 does not exist on
    // 8 March 2026 in New York, so 03:30 EDT.
    ["2026-03-08", "02:30", "America/New_York", "2026-03-08T07:30:00.000Z"],
    // A time the autumn change repeats goes out at its first occurrence: 01:30 happens twice
    // on 1 November 2026, first in EDT (UTC−4).
    ["2026-11-01", "01:30", "America/New_York", "2026-11-01T05:30:00.000Z"],
    // Monday 08:00 in Berlin stays 08:00 across both changes.
    ["2026-03-23", "08:00", "Europe/Berlin", "2026-03-23T07:00:00.000Z"],
    ["2026-03-30", "08:00", "Europe/Berlin", "2026-03-30T06:00:00.000Z"],
    ["2026-10-26", "08:00", "Europe/Berlin", "2026-10-26T07:00:00.000Z"],
    // 02:30 on 29 March 2026 is skipped in Berlin: 03:30 CEST.
    ["2026-03-29", "02:30", "Europe/Berlin", "2026-03-29T01:30:00.000Z"],
    // A zone whose local date is ahead of UTC's.
    ["2026-12-07", "07:00", "Pacific/Auckland", "2026-12-06T18:00:00.000Z"],
  ])("%s %s in %s is %s", (date, localTime, timeZone, instant) => {
    expect(zonedInstant(date, localTime, timeZone).toISOString()).toBe(instant);
  });
});

describe("occurrences", () => {
  it("finds the Monday digests around Berlin's spring change", () => {
    const schedule = mondays("08:00", "Europe/Berlin");
    // Sunday 29 March, after the change: the latest is 23 March (CET), the next 30 March (CEST).
    const sunday = utc("2026-03-29T12:00:00Z");
    expect(latestOccurrence(schedule, sunday)).toEqual({
      periodKey: "2026-03-23",
      at: utc("2026-03-23T07:00:00Z"),
    });
    expect(nextOccurrence(schedule, sunday)).toEqual({
      periodKey: "2026-03-30",
      at: utc("2026-03-30T06:00:00Z"),
    });
  });

  it("counts the local date, not the UTC one, as the period", () => {
    // 23:30 on Sunday in New York is Monday in UTC: a Monday digest is not due yet.
    const schedule = mondays("00:15", "America/New_York");
    expect(nextOccurrence(schedule, utc("2026-12-07T04:30:00Z")).periodKey).toBe("2026-12-07");
    expect(nextOccurrence(schedule, utc("2026-12-07T04:30:00Z")).at).toEqual(
      utc("2026-12-07T05:15:00Z"),
    );
  });
});

describe("due", () => {
  const schedule = daily("08:00", "America/New_York");

  it("is not due a minute before its time, due at it, and not again once queued", () => {
    // 8 March 2026 08:00 EDT = 12:00 UTC.
    expect(dueOccurrence(schedule, "2026-03-07", utc("2026-03-08T11:59:00Z"))).toBeNull();
    const due = dueOccurrence(schedule, "2026-03-07", utc("2026-03-08T12:00:00Z"));
    expect(due).toEqual({ periodKey: "2026-03-08", at: utc("2026-03-08T12:00:00Z") });
    expect(dueOccurrence(schedule, "2026-03-08", utc("2026-03-08T12:01:00Z"))).toBeNull();
    expect(dueOccurrence(schedule, "2026-03-08", utc("2026-03-08T23:59:00Z"))).toBeNull();
  });

  it("sends a digest missed for three days once, for the latest day", () => {
    const due = dueOccurrence(schedule, "2026-03-05", utc("2026-03-08T15:00:00Z"));
    expect(due?.periodKey).toBe("2026-03-08");
    expect(dueOccurrence(schedule, due!.periodKey, utc("2026-03-08T15:01:00Z"))).toBeNull();
  });

  it("is due for a digest never queued", () => {
    expect(dueOccurrence(schedule, null, utc("2026-03-08T15:00:00Z"))?.periodKey).toBe(
      "2026-03-08",
    );
  });
});
