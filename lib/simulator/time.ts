/** Time arithmetic on epoch milliseconds, all in UTC. */

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** RFC 3339 with whole seconds, e.g. 2026-11-01T06:12:00Z. */
export function iso(ms: number): string {
  return new Date(Math.floor(ms / SECOND) * SECOND).toISOString().replace(".000Z", "Z");
}

export function startOfMonth(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

export function addMonths(monthStart: number, months: number): number {
  const d = new Date(monthStart);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1);
}

/** "2026-10" */
export function monthKey(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}

export function startOfHour(ms: number): number {
  return Math.floor(ms / HOUR) * HOUR;
}

export function startOfDay(ms: number): number {
  return Math.floor(ms / DAY) * DAY;
}

/** Month starts m with m <= ms < next month, for every month that overlaps [from, to). */
export function monthsOverlapping(from: number, to: number): number[] {
  const months: number[] = [];
  for (let m = startOfMonth(from); m < to; m = addMonths(m, 1)) months.push(m);
  return months;
}
