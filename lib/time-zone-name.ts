import { z } from "zod";
import { DEFAULT_TIME_ZONE } from "@/lib/format";

/*
 * Which time-zone names Closeline stores (lib/auth/time-zone.ts says why): IANA
 * "Area/Location" names this runtime knows. Free of server code, so a form in the browser
 * checks a zone by the same rule as the server.
 */

const IANA_NAME = /^[A-Z][A-Za-z_-]+(?:\/[A-Z0-9][A-Za-z0-9_+-]*){1,2}$/;

export function isTimeZone(value: string): boolean {
  if (value === DEFAULT_TIME_ZONE) return true;
  if (value.length > 64 || !IANA_NAME.test(value)) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export const TimeZoneSchema = z
  .string()
  .trim()
  .refine(isTimeZone, "must be an IANA time zone such as Europe/Paris or America/New_York");

/** The zone this runtime's clock is set to (in a browser, the reader's); null when unknown. */
export function browserZone(): string | null {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone ?? null;
  } catch {
    return null;
  }
}
