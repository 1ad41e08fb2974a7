import "server-only";
import { PgTimestamp } from "drizzle-orm/pg-core";

/*
 * PostgreSQL writes an instant as text like "0002-06-15 00:00:00+00" (DateStyle ISO), and
 * both drivers hand that text to drizzle, which reads it with `new Date(text)`. With a space
 * instead of the "T", V8 falls back to its legacy date parser, which reads years 0000–0099
 * as 1900–1999 or worse ("0002-06-15" became 2015-02-06). Closeline documents instants from
 * 0001-01-01 to 9999-12-31, so the text is read here by its own grammar instead.
 */

const PG_INSTANT =
  /^(\d{4,})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?)?( BC)?$/i;

/**
 * The instant PostgreSQL's text form names, to the millisecond (finer digits are dropped,
 * like everywhere else in Closeline). Accepts the ISO form too. Throws on anything else,
 * rather than guessing a date.
 */
export function parsePgInstant(text: string): Date {
  const m = PG_INSTANT.exec(text);
  if (!m || m[13]) throw new RangeError(`Not an instant Closeline can read: ${text}`);
  const [, year, month, day, hour, minute, second, fraction = "", zulu, sign, oh, om, os] = m;
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, takes years 0–99 as they are.
  date.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  date.setUTCHours(
    Number(hour),
    Number(minute),
    Number(second),
    Number(fraction.slice(0, 3).padEnd(3, "0")),
  );
  if (!zulu && sign) {
    const offsetMs = ((Number(oh) * 60 + Number(om ?? 0)) * 60 + Number(os ?? 0)) * 1000;
    date.setTime(date.getTime() - (sign === "-" ? -offsetMs : offsetMs));
  }
  return date;
}

// Every `timestamp(..., { withTimezone: true })` column in db/schema reads through here.
PgTimestamp.prototype.mapFromDriverValue = function mapFromDriverValue(value: Date | string) {
  if (typeof value !== "string") return value;
  return parsePgInstant(this.withTimezone ? value : `${value}+00`);
};
