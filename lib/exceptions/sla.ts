import { TYPES, type ExceptionType } from "./vocabulary";

/*
 * How long an exception may stay open, per exception type. Operations' default working
 * agreement: an exception is looked at within a day (older than 24 h: warning) and cleared
 * within three (older than 72 h: SLA breached). Admins change the targets per type on
 * /admin/settings (./sla-settings.ts validates and stores them); the queue shows the level in
 * words as well as colour. Client components import this file, so it holds neither database
 * code nor zod (whose start-up probe for eval would trip the page's CSP).
 */

const HOUR_MS = 3_600_000;

export interface SlaTarget {
  /** Older than this: a warning. */
  warningMs: number;
  /** Older than this: SLA breached. */
  breachMs: number;
}

export type SlaPolicy = Record<ExceptionType, SlaTarget>;

export const DEFAULT_SLA_TARGET: SlaTarget = { warningMs: 24 * HOUR_MS, breachMs: 72 * HOUR_MS };

export const DEFAULT_SLA_POLICY: SlaPolicy = Object.fromEntries(
  TYPES.map((type) => [type, DEFAULT_SLA_TARGET]),
) as SlaPolicy;

export interface SlaHours {
  warningHours: number;
  breachHours: number;
}

export function toSlaTarget(hours: SlaHours): SlaTarget {
  return { warningMs: hours.warningHours * HOUR_MS, breachMs: hours.breachHours * HOUR_MS };
}

export function toSlaHours(target: SlaTarget): SlaHours {
  return { warningHours: target.warningMs / HOUR_MS, breachHours: target.breachMs / HOUR_MS };
}

export type SlaLevel = "ok" | "warning" | "breached";

export function slaLevel(ageMs: number, target: SlaTarget = DEFAULT_SLA_TARGET): SlaLevel {
  if (ageMs > target.breachMs) return "breached";
  if (ageMs > target.warningMs) return "warning";
  return "ok";
}

/** "36 h", "1.5 h": a target in hours, the unit it is agreed and set in. */
export function slaDuration(ms: number): string {
  return `${Number((ms / HOUR_MS).toFixed(2))} h`;
}

/** The level in words, naming the target it was measured against. */
export function slaText(level: SlaLevel, target: SlaTarget = DEFAULT_SLA_TARGET): string {
  switch (level) {
    case "ok":
      return "Within SLA";
    case "warning":
      return `Over ${slaDuration(target.warningMs)}`;
    case "breached":
      return `SLA breached (over ${slaDuration(target.breachMs)})`;
  }
}

/** Age of an exception: until it closed, or until `now` while it is open. */
export function exceptionAgeMs(
  openedAt: string | Date,
  closedAt: string | Date | null,
  now: Date,
): number {
  const end = closedAt ? new Date(closedAt).getTime() : now.getTime();
  return Math.max(0, end - new Date(openedAt).getTime());
}
