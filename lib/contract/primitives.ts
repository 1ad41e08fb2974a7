import { z } from "zod";

/** ISO 4217 codes this runtime knows (Node ships full ICU). */
const ISO_4217 = new Set(Intl.supportedValuesOf("currency"));

export const CurrencyCode = z
  .string()
  .regex(/^[A-Z]{3}$/, "must be a three-letter upper-case ISO 4217 code")
  .refine((code) => ISO_4217.has(code), "is not an ISO 4217 currency code")
  .meta({ description: "ISO 4217 currency code, e.g. EUR", example: "EUR" });

/**
 * Money in integer minor units (cents for EUR, yen for JPY). Limited to the IEEE-754 safe
 * range so no amount is ever rounded on its way through JavaScript; that is ±90 trillion in
 * a two-decimal currency, well past any invoice.
 */
export const MinorUnits = z.int().meta({
  description: "Integer amount in minor units of the currency (e.g. cents)",
  example: 129900,
});

/**
 * A sum of amounts or counts, exact however large: each addend is within ±(2^53 − 1), but a
 * sum of several need not be, and a JSON number past that is rounded by every JavaScript
 * reader. So a sum is a JSON number while it is within ±(2^53 − 1) and a string of its
 * decimal digits beyond (as payment APIs carry amounts wider than a double). Read it with
 * `BigInt(value)`, which takes both.
 */
export const ExactInteger = z
  .union([z.int(), z.string().regex(/^-?[1-9]\d{15,}$/, "must be a decimal integer")])
  .meta({
    description:
      'Exact integer: a JSON number within ±(2^53 − 1), a string of decimal digits beyond (e.g. "18014398509481981")',
    example: 129900,
  });
export type ExactInteger = z.infer<typeof ExactInteger>;

/** A bigint as an ExactInteger: a number where that is exact, its decimal digits otherwise. */
export function exactInteger(value: bigint): ExactInteger {
  const safe = BigInt(Number.MAX_SAFE_INTEGER);
  return value <= safe && value >= -safe ? Number(value) : value.toString();
}

export const NonNegativeMinorUnits = MinorUnits.min(0, "must not be negative");

export const Count = z.int().min(0, "must not be negative");

/** Years JavaScript and PostgreSQL both read back the same; PostgreSQL has no year 0. */
const EARLIEST = Date.parse("0001-01-01T00:00:00Z");
const LATEST = Date.parse("9999-12-31T23:59:59.999Z");
/** The widest offset any time zone uses (Kiribati); PostgreSQL refuses past ±15:59. */
const MAX_OFFSET = /[+-](0\d|1[0-3]):[0-5]\d$|[+-]14:00$|Z$/i;
/** RFC 3339 section 5.6 lets "T" and "Z" be lower case; zod's own pattern wants upper case. */
const RFC_3339 = new RegExp(z.regexes.datetime({ offset: true }).source, "i");

/**
 * Closeline keeps instants to the millisecond, the precision JavaScript's Date and every
 * query bound share. Finer digits are dropped, never rounded: rounding would carry
 * 23:59:59.9999999 into the next day (and 9999-12-31 into year 10000).
 */
function normaliseInstant(value: string): string {
  return NEEDS_NORMALISING.test(value) ? value.toUpperCase().replace(/(\.\d{3})\d+/, "$1") : value;
}

/**
 * What normaliseInstant would change: a character toUpperCase maps (ASCII lower case or
 * beyond ASCII) or a fourth digit of a fraction. Most instants arrive as they are kept, and
 * then are kept without two new strings each.
 */
const NEEDS_NORMALISING = /[a-z]|[^\x00-\x7f]|\.\d{4}/;

// A named format with a test rather than a pattern: JSON Schema has no case-insensitive
// pattern, and "date-time" there already means RFC 3339, lower case included.
export const Timestamp = z
  .stringFormat("date-time", (value) => RFC_3339.test(value), {
    message: "must be an RFC 3339 date-time with a time zone",
    // One complaint per field: the range is only judged on a well-formed date-time.
    abort: true,
  })
  .overwrite(normaliseInstant)
  .refine(
    (value) => {
      const at = Date.parse(value);
      return at >= EARLIEST && at <= LATEST && MAX_OFFSET.test(value);
    },
    { message: "must lie between 0001-01-01 and 9999-12-31 UTC, with an offset of at most ±14:00" },
  )
  .meta({
    description: "RFC 3339 date-time, kept to the millisecond",
    example: "2026-11-01T00:00:00Z",
  });

export const Identifier = z
  .string()
  .min(1, "must not be empty")
  .max(200, "must be at most 200 characters");

export const EntityCode = Identifier.meta({
  description: "Legal-entity code, as the ERP knows it",
  example: "ACME-US",
});

/** A page's link to the next (or previous) page: an opaque cursor, null where there is none. */
export const pageCursor = (description: string) => z.string().nullable().meta({ description });

/** A keyset page's query fields: how many items (1–100, default 50) and where to go on from. */
export const keysetPageFields = (items: string) => ({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(50)
    .meta({ description: `${items} per page` }),
  cursor: z.string().optional().meta({ description: "The `nextCursor` of the previous page" }),
});
