import { expect, test } from "vitest";
import { InvalidInput } from "@/lib/errors";
import { parseMoneyInput } from "@/lib/money-input";

test("typed amounts become exact minor units for the currency", () => {
  expect(parseMoneyInput("1,250.50", "EUR")).toBe(125_050);
  expect(parseMoneyInput("0.1", "USD")).toBe(10);
  expect(parseMoneyInput("1250", "JPY")).toBe(1250);
  expect(parseMoneyInput("1.234", "BHD")).toBe(1234);
  // 0.1 + 0.2 style binary-fraction errors cannot happen: the arithmetic is on strings.
  expect(parseMoneyInput("10000.29", "EUR")).toBe(1_000_029);
});

test("more decimals than the currency has, or anything not a number, is refused", () => {
  expect(() => parseMoneyInput("1.5", "JPY")).toThrow(InvalidInput);
  expect(() => parseMoneyInput("1.005", "EUR")).toThrow(/2 decimals/);
  expect(() => parseMoneyInput("-5", "EUR")).toThrow(InvalidInput);
  expect(() => parseMoneyInput("1e3", "EUR")).toThrow(InvalidInput);
  expect(() => parseMoneyInput("99999999999999999", "EUR")).toThrow(/too large/);
});
