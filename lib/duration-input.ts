import { InvalidInput } from "@/lib/errors";

/** The units a form offers a duration in; the API keeps ISO 8601. Client components import this file. */
export const DURATION_UNITS = ["minutes", "hours", "days"] as const;
export type DurationUnit = (typeof DURATION_UNITS)[number];

const ISO_DURATION: Record<DurationUnit, (count: string) => string> = {
  minutes: (count) => `PT${count}M`,
  hours: (count) => `PT${count}H`,
  days: (count) => `P${count}D`,
};

/**
 * A duration picked as a count and a unit (fields `<name>Count` and `<name>Unit`: "10",
 * "minutes") as the API's ISO 8601 ("PT10M"); "" when no count was given, which each field
 * reads as its own default (at once, never, the learned cadence). The contract then says
 * whether the length is allowed where it is used.
 */
export function durationFromForm(get: (name: string) => string, name: string): string {
  const count = get(`${name}Count`).trim();
  if (count === "") return "";
  const unit = get(`${name}Unit`) as DurationUnit;
  if (!/^\d{1,6}$/.test(count) || !(DURATION_UNITS as readonly string[]).includes(unit)) {
    throw new InvalidInput("A duration is a whole number of minutes, hours or days");
  }
  return ISO_DURATION[unit](String(Number(count)));
}
