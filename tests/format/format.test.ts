import { describe, expect, it } from "vitest";
import {
  formatDateTime,
  formatDuration,
  formatMoney,
  formatPercent,
  formatZoneOffset,
} from "@/lib/format";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe("formatDuration", () => {
  it.each([
    [null, "—"],
    [undefined, "—"],
    [Number.NaN, "—"],
    [0, "0 ms"],
    [850, "850 ms"],
    [999.4, "999 ms"],
    [1_000, "1 s"],
    [4_240, "4.2 s"],
    [9_960, "10 s"],
    [42 * SECOND, "42 s"],
    [59.6 * SECOND, "1 min"],
    [12 * MINUTE + 5 * SECOND, "12 min 5 s"],
    [45 * MINUTE, "45 min"],
    [59 * MINUTE + 59.6 * SECOND, "1 h"],
    [2 * HOUR + 5 * MINUTE, "2 h 5 min"],
    // The decimal the issue complains about: 31.8 h.
    [31.8 * HOUR, "1 d 8 h"],
    [23 * HOUR + 59 * MINUTE + 40 * SECOND, "1 d"],
    [3 * DAY + 4 * HOUR, "3 d 4 h"],
    [56.4 * DAY, "56 d 10 h"],
    [-(2 * HOUR + 5 * MINUTE), "−2 h 5 min"],
  ])("%s ms reads %s", (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });

  it("never shows a decimal beyond seconds", () => {
    for (let ms = 10 * SECOND; ms < 90 * DAY; ms = Math.ceil(ms * 1.37)) {
      expect(formatDuration(ms)).not.toMatch(/\d\.\d/);
    }
  });
});

describe("formatDateTime", () => {
  const instant = new Date("2026-12-06T14:05:00Z");

  it("defaults to UTC, so existing callers keep their output", () => {
    expect(formatDateTime(instant)).toBe("6 Dec 2026, 14:05 UTC");
    expect(formatDateTime("2026-12-06T14:05:00Z")).toBe("6 Dec 2026, 14:05 UTC");
  });

  it("shows a missing or unreadable value as a dash", () => {
    expect(formatDateTime(null)).toBe("—");
    expect(formatDateTime("not a date")).toBe("—");
  });

  it("renders in the given zone with its offset", () => {
    expect(formatDateTime(instant, "Europe/Paris")).toBe("6 Dec 2026, 15:05 UTC+1");
    expect(formatDateTime(instant, "America/New_York")).toBe("6 Dec 2026, 09:05 UTC−5");
    expect(formatDateTime(instant, "Asia/Kolkata")).toBe("6 Dec 2026, 19:35 UTC+5:30");
    // Across the date line the calendar day changes too.
    expect(formatDateTime(new Date("2026-12-06T23:30:00Z"), "Pacific/Auckland")).toBe(
      "7 Dec 2026, 12:30 UTC+13",
    );
  });

  it("follows the daylight-saving switch in spring (Europe, last Sunday of March)", () => {
    // 01:00 UTC on 29 March 2026 clocks go from 02:00 CET to 03:00 CEST.
    expect(formatDateTime(new Date("2026-03-29T00:59:00Z"), "Europe/Berlin")).toBe(
      "29 Mar 2026, 01:59 UTC+1",
    );
    expect(formatDateTime(new Date("2026-03-29T01:00:00Z"), "Europe/Berlin")).toBe(
      "29 Mar 2026, 03:00 UTC+2",
    );
  });

  it("tells apart the two instants that share a wall-clock time when clocks go back", () => {
    // 1 November 2026, New York: 01:30 happens twice, first EDT (UTC−4) then EST (UTC−5).
    const first = formatDateTime(new Date("2026-11-01T05:30:00Z"), "America/New_York");
    const second = formatDateTime(new Date("2026-11-01T06:30:00Z"), "America/New_York");
    expect(first).toBe("1 Nov 2026, 01:30 UTC−4");
    expect(second).toBe("1 Nov 2026, 01:30 UTC−5");
  });

  it("names UTC plainly", () => {
    expect(formatZoneOffset(instant, "UTC")).toBe("UTC");
    expect(formatZoneOffset(instant, "Etc/UTC")).toBe("UTC");
    expect(formatZoneOffset(instant, "Europe/London")).toBe("UTC");
    expect(formatZoneOffset(new Date("2026-07-01T00:00:00Z"), "Europe/London")).toBe("UTC+1");
  });
});

describe("formatMoney", () => {
  it.each([
    [57079, "USD", "570.79 USD"],
    [123456, "USD", "1,234.56 USD"],
    [-123456, "EUR", "−1,234.56 EUR"],
    [5, "USD", "0.05 USD"],
    [0, "USD", "0.00 USD"],
    [123456, "JPY", "123,456 JPY"],
    [1234567, "BHD", "1,234.567 BHD"],
    ["900719925474099312", "USD", "9,007,199,254,740,993.12 USD"],
  ])("%s minor units of %s read %s", (minor, currency, expected) => {
    expect(formatMoney(minor, currency)).toBe(expected);
  });
});

describe("formatPercent", () => {
  it("rounds to the digits asked for", () => {
    expect(formatPercent(0.84, 2)).toBe("84.00%");
    expect(formatPercent(0.00224, 1)).toBe("0.2%");
    expect(formatPercent(1, 2)).toBe("100.00%");
    expect(formatPercent(0, 1)).toBe("0.0%");
    expect(formatPercent(null)).toBe("—");
  });

  it("never shows a ratio short of whole as 100 %, nor a ratio above nothing as 0 %", () => {
    // 1,704,256,333 of 1,704,317,186 expected: 99.9964 %, 60,853 missing.
    expect(formatPercent(1_704_256_333 / 1_704_317_186, 2)).toBe("> 99.99%");
    expect(formatPercent(0.99996, 1)).toBe("> 99.9%");
    // 1 break in 100,000 results.
    expect(formatPercent(1 / 100_000, 2)).toBe("< 0.01%");
    // Exactly on the last step shown stays as it is.
    expect(formatPercent(0.9999, 2)).toBe("99.99%");
    expect(formatPercent(0.0001, 2)).toBe("0.01%");
  });
});
