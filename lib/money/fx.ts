import { currencyDigits } from "@/lib/format";

/*
 * Converting an amount at risk into the reporting currency. Exact: the rate is a decimal
 * string read into integers, the arithmetic is BigInt, and the one rounding is to a whole
 * minor unit of the reporting currency, half away from zero (so −x converts to −(x
 * converted)), the rule PostgreSQL's round(numeric) applies in closeline_fx_apply, which
 * converts the stored amounts the same way (tests/money/fx-sql.test.ts holds the two equal).
 */

/** A rate as an admin or an fx.rate event gives it: up to 12 digits either side of the point. */
export const RATE_PATTERN = /^(0|[1-9]\d{0,11})(\.\d{1,12})?$/;

/** The largest and smallest bigint a converted amount may be (PostgreSQL's int8; −2^63 excluded so |x| fits too). */
const INT8_MAX = 2n ** 63n - 1n;

export interface RateOnDay {
  /** YYYY-MM-DD, the first UTC day the rate applies. */
  effectiveDate: string;
  /** Units of the reporting currency per unit of the currency, as a decimal string. */
  rate: string;
}

/** The decimal string as an integer over a power of ten: "1.0825" → { units: 10825n, scale: 4 }. */
function decimalParts(rate: string): { units: bigint; scale: number } {
  if (!RATE_PATTERN.test(rate)) throw new Error(`"${rate}" is not a decimal rate`);
  const [whole, fraction = ""] = rate.split(".");
  return { units: BigInt(`${whole}${fraction}`), scale: fraction.length };
}

/** Whether the text is a rate Closeline accepts: a decimal above zero. */
export function isValidRate(rate: string): boolean {
  return RATE_PATTERN.test(rate) && decimalParts(rate).units > 0n;
}

/** numerator / denominator (denominator > 0) rounded to an integer, half away from zero. */
function divideRounded(numerator: bigint, denominator: bigint): bigint {
  const magnitude = numerator < 0n ? -numerator : numerator;
  // Half up on the magnitude: floor((2n + d) / 2d).
  const rounded = (2n * magnitude + denominator) / (2n * denominator);
  return numerator < 0n ? -rounded : rounded;
}

/**
 * `amountMinor` of `from` in minor units of `to` at `rate`, rounded half away from zero; null
 * when the result does not fit a bigint.
 */
export function convertMinor(
  amountMinor: bigint,
  from: string,
  to: string,
  rate: string,
): bigint | null {
  const { units, scale } = decimalParts(rate);
  const shift = currencyDigits(to) - currencyDigits(from);
  let numerator = amountMinor * units;
  let denominator = 10n ** BigInt(scale);
  if (shift >= 0) numerator *= 10n ** BigInt(shift);
  else denominator *= 10n ** BigInt(-shift);
  const converted = divideRounded(numerator, denominator);
  return converted > INT8_MAX || converted < -INT8_MAX ? null : converted;
}

/** The rate in effect on `day`: the one with the latest effective date on or before it. */
export function rateInEffect(rates: readonly RateOnDay[], day: string): RateOnDay | null {
  let best: RateOnDay | null = null;
  for (const r of rates) {
    if (r.effectiveDate <= day && (!best || r.effectiveDate > best.effectiveDate)) best = r;
  }
  return best;
}

/** An amount converted into the reporting currency, saying at which rate. */
export interface Converted {
  minor: bigint;
  currency: string;
  /** "1" for the reporting currency itself. */
  rate: string;
  /** The rate's effective day; null for the reporting currency itself. */
  rateDate: string | null;
}

/** Why an amount has no reporting-currency figure: none to convert, no rate, or out of range. */
export type NotConverted = { missing: "no_amount" | "no_rate" | "out_of_range" };

/**
 * An amount at risk in the reporting currency on `day` (the UTC day the exception opened),
 * from the rates of its currency into the reporting currency. Never guesses: with no rate in
 * effect that day (a rate from a later day does not count) the answer says so.
 */
export function toReporting(
  amount: { minor: bigint | null; currency: string | null },
  reportingCurrency: string,
  day: string,
  rates: readonly RateOnDay[],
): Converted | NotConverted {
  if (amount.minor === null || amount.currency === null) return { missing: "no_amount" };
  if (amount.currency === reportingCurrency) {
    return { minor: amount.minor, currency: reportingCurrency, rate: "1", rateDate: null };
  }
  const rate = rateInEffect(rates, day);
  if (!rate) return { missing: "no_rate" };
  const minor = convertMinor(amount.minor, amount.currency, reportingCurrency, rate.rate);
  if (minor === null) return { missing: "out_of_range" };
  return { minor, currency: reportingCurrency, rate: rate.rate, rateDate: rate.effectiveDate };
}
