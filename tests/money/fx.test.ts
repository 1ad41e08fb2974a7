import { describe, expect, it } from "vitest";
import { convertMinor, isValidRate, rateInEffect, toReporting } from "@/lib/money/fx";

/*
 * Converting into the reporting currency by hand-worked cases: each expected figure is
 * worked out in the comment beside it, not by the code under test.
 */

const EUR_RATES = [
  { effectiveDate: "2026-11-01", rate: "1.0825" },
  { effectiveDate: "2026-11-15", rate: "1.1" },
];

describe("convertMinor", () => {
  it("scales between currencies of different minor units", () => {
    // 1,000.00 EUR × 1.0825 = 1,082.50 USD.
    expect(convertMinor(100_000n, "EUR", "USD", "1.0825")).toBe(108_250n);
    // ¥150,000 × 0.0067 = 1,005.00 USD.
    expect(convertMinor(150_000n, "JPY", "USD", "0.0067")).toBe(100_500n);
    // 10.00 USD × 149.5 = ¥1,495.
    expect(convertMinor(1_000n, "USD", "JPY", "149.5")).toBe(1_495n);
    // 10.00 USD × 0.3075 = 3.075 KWD, three decimals: 3075 fils.
    expect(convertMinor(1_000n, "USD", "KWD", "0.3075")).toBe(3_075n);
    // 1.234 KWD × 3.25 = 4.0105 USD → 4.01.
    expect(convertMinor(1_234n, "KWD", "USD", "3.25")).toBe(401n);
  });

  it("rounds half away from zero to the reporting currency's minor unit", () => {
    // 0.01 EUR × 1.5 = 0.015 USD → 0.02; and −0.015 → −0.02.
    expect(convertMinor(1n, "EUR", "USD", "1.5")).toBe(2n);
    expect(convertMinor(-1n, "EUR", "USD", "1.5")).toBe(-2n);
    // 0.01 EUR × 1.49 = 0.0149 → 0.01; ¥1 × 0.005 = 0.005 USD → 0.01 (half), ¥1 × 0.0049 → 0.
    expect(convertMinor(1n, "EUR", "USD", "1.49")).toBe(1n);
    expect(convertMinor(1n, "JPY", "USD", "0.005")).toBe(1n);
    expect(convertMinor(1n, "JPY", "USD", "0.0049")).toBe(0n);
    // 0.50 USD × 1 = ¥0.5 → ¥1.
    expect(convertMinor(50n, "USD", "JPY", "1")).toBe(1n);
  });

  it("stays exact near the bigint limits and answers null past them", () => {
    const max = 2n ** 63n - 1n;
    expect(convertMinor(max, "EUR", "USD", "1")).toBe(max);
    expect(convertMinor(-max, "EUR", "USD", "1")).toBe(-max);
    // (2^63 − 1) × 0.5 = 4611686018427387903.5 → …904.
    expect(convertMinor(max, "EUR", "USD", "0.5")).toBe(4_611_686_018_427_387_904n);
    expect(convertMinor(max, "EUR", "USD", "1.000000000001")).toBeNull();
    expect(convertMinor(max, "USD", "KWD", "1")).toBeNull();
  });

  it("takes only decimal strings above zero as rates", () => {
    expect(isValidRate("1.0825")).toBe(true);
    expect(isValidRate("0.000000000001")).toBe(true);
    for (const bad of ["0", "0.000", "-1", "1e3", "1.", ".5", "01.5", "1.0000000000001", ""])
      expect(isValidRate(bad), bad).toBe(false);
    expect(() => convertMinor(1n, "EUR", "USD", "1e3")).toThrow();
  });
});

describe("rateInEffect and toReporting", () => {
  it("uses the latest rate effective on or before the day", () => {
    expect(rateInEffect(EUR_RATES, "2026-10-31")).toBeNull();
    expect(rateInEffect(EUR_RATES, "2026-11-01")?.rate).toBe("1.0825");
    expect(rateInEffect(EUR_RATES, "2026-11-14")?.rate).toBe("1.0825");
    expect(rateInEffect(EUR_RATES, "2026-12-31")?.rate).toBe("1.1");
  });

  it("says which rate it used", () => {
    expect(
      toReporting({ minor: 100_000n, currency: "EUR" }, "USD", "2026-11-20", EUR_RATES),
    ).toEqual({ minor: 110_000n, currency: "USD", rate: "1.1", rateDate: "2026-11-15" });
  });

  it("is the identity for the reporting currency itself, with no rate needed", () => {
    expect(toReporting({ minor: 12_345n, currency: "USD" }, "USD", "2000-01-01", [])).toEqual({
      minor: 12_345n,
      currency: "USD",
      rate: "1",
      rateDate: null,
    });
  });

  it("never guesses: no rate, a rate from a later day only, or no amount", () => {
    const amount = { minor: 100_000n, currency: "EUR" };
    expect(toReporting(amount, "USD", "2026-11-20", [])).toEqual({ missing: "no_rate" });
    expect(toReporting(amount, "USD", "2026-10-31", EUR_RATES)).toEqual({ missing: "no_rate" });
    expect(toReporting({ minor: null, currency: null }, "USD", "2026-11-20", EUR_RATES)).toEqual({
      missing: "no_amount",
    });
    expect(
      toReporting({ minor: 9n * 10n ** 18n, currency: "EUR" }, "USD", "2026-11-20", EUR_RATES),
    ).toEqual({ missing: "out_of_range" });
  });
});
