/*
 * How long an exception may stay open. Operations' working agreement: an exception is looked
 * at within a day (older than 24 h: warning) and cleared within three (older than 72 h: SLA
 * breached). The queue shows the level in words as well as colour.
 */

export const SLA_WARNING_MS = 24 * 3_600_000;
export const SLA_BREACH_MS = 72 * 3_600_000;

export type SlaLevel = "ok" | "warning" | "breached";

export function slaLevel(ageMs: number): SlaLevel {
  if (ageMs > SLA_BREACH_MS) return "breached";
  if (ageMs > SLA_WARNING_MS) return "warning";
  return "ok";
}

export const SLA_TEXT: Record<SlaLevel, string> = {
  ok: "Within SLA",
  warning: "Over 24 h",
  breached: "SLA breached (over 72 h)",
};

/** Age of an exception: until it closed, or until `now` while it is open. */
export function exceptionAgeMs(
  openedAt: string | Date,
  closedAt: string | Date | null,
  now: Date,
): number {
  const end = closedAt ? new Date(closedAt).getTime() : now.getTime();
  return Math.max(0, end - new Date(openedAt).getTime());
}
