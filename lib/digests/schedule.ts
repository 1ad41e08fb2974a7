/*
 * When a digest is due. A digest names a wall-clock time in a zone ("Monday 08:00 in
 * Europe/Berlin"); each occurrence is one period, keyed by its local date. The instant of an
 * occurrence follows the zone's rules on that date, so 08:00 stays 08:00 across daylight
 * saving changes. A local time the zone skips (02:30 on the night clocks go forward) is sent
 * at the same distance past the gap (03:30); one the zone repeats (01:30 on the night clocks
 * go back) at its first occurrence.
 */

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export const WEEKDAYS = [
  "monday",
  "tuesday",
  "wednesday",
  "thursday",
  "friday",
  "saturday",
  "sunday",
] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** ISO weekday number, 1 = Monday … 7 = Sunday. */
export const weekdayNumber = (day: Weekday) => WEEKDAYS.indexOf(day) + 1;
export const weekdayName = (n: number): Weekday => WEEKDAYS[(n - 1 + 7) % 7]!;

export interface DigestSchedule {
  cadence: "daily" | "weekly";
  /** ISO weekday for a weekly digest; null for a daily one. */
  weekday: number | null;
  /** `HH:MM`. */
  localTime: string;
  timeZone: string;
}

export interface Occurrence {
  /** The local date of the occurrence, `YYYY-MM-DD`: the period's key. */
  periodKey: string;
  at: Date;
}

const wallFormats = new Map<string, Intl.DateTimeFormat>();
function wallFormat(timeZone: string): Intl.DateTimeFormat {
  let format = wallFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    wallFormats.set(timeZone, format);
  }
  return format;
}

/** The wall clock of `timeZone` at `at`, as milliseconds of the same reading in UTC. */
function wallClockMs(at: Date, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of wallFormat(timeZone).formatToParts(at)) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  return Date.UTC(
    parts.year!,
    parts.month! - 1,
    parts.day!,
    parts.hour!,
    parts.minute!,
    parts.second!,
  );
}

/** How far `timeZone`'s wall clock is ahead of UTC at `at` (whole seconds). */
function offsetMs(at: Date, timeZone: string): number {
  const whole = new Date(Math.floor(at.getTime() / 1000) * 1000);
  return wallClockMs(whole, timeZone) - whole.getTime();
}

const pad = (n: number) => String(n).padStart(2, "0");
const dayKey = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dayMs = (key: string) => Date.parse(`${key}T00:00:00Z`);

/** The local date and ISO weekday in `timeZone` at `at`. */
export function localDate(at: Date, timeZone: string): { date: string; weekday: number } {
  const wall = wallClockMs(at, timeZone);
  const day = new Date(wall).getUTCDay();
  return { date: dayKey(wall), weekday: day === 0 ? 7 : day };
}

/** The instant at which `timeZone`'s clock reads `time` (`HH:MM`) on `date` (`YYYY-MM-DD`). */
export function zonedInstant(date: string, time: string, timeZone: string): Date {
  const [hours, minutes] = time.split(":").map(Number);
  const wall = dayMs(date) + (hours! * 60 + minutes!) * MINUTE_MS;
  // The offsets a day either side bracket any transition on this date.
  const before = offsetMs(new Date(wall - DAY_MS), timeZone);
  const after = offsetMs(new Date(wall + DAY_MS), timeZone);
  const candidates = [wall - before, wall - after]
    .filter((t) => wallClockMs(new Date(t), timeZone) === wall)
    .sort((a, b) => a - b);
  // No candidate reads `time`: it falls in a gap, and the offset before the gap carries it past.
  return new Date(candidates[0] ?? wall - before);
}

function matches(schedule: DigestSchedule, weekday: number): boolean {
  return schedule.cadence === "daily" || schedule.weekday === weekday;
}

/** The latest occurrence at or before `now`. */
export function latestOccurrence(schedule: DigestSchedule, now: Date): Occurrence {
  const today = localDate(now, schedule.timeZone);
  for (let back = 0; back <= 8; back++) {
    const key = dayKey(dayMs(today.date) - back * DAY_MS);
    const weekday = ((today.weekday - 1 - (back % 7) + 7) % 7) + 1;
    if (!matches(schedule, weekday)) continue;
    const at = zonedInstant(key, schedule.localTime, schedule.timeZone);
    if (at.getTime() <= now.getTime()) return { periodKey: key, at };
  }
  throw new Error("no occurrence within eight days");
}

/** The first occurrence after `now`. */
export function nextOccurrence(schedule: DigestSchedule, now: Date): Occurrence {
  const today = localDate(now, schedule.timeZone);
  for (let ahead = 0; ahead <= 8; ahead++) {
    const key = dayKey(dayMs(today.date) + ahead * DAY_MS);
    const weekday = ((today.weekday - 1 + ahead) % 7) + 1;
    if (!matches(schedule, weekday)) continue;
    const at = zonedInstant(key, schedule.localTime, schedule.timeZone);
    if (at.getTime() > now.getTime()) return { periodKey: key, at };
  }
  throw new Error("no occurrence within eight days");
}

/**
 * The occurrence to send now, or null: the latest one at or before `now` unless its period
 * was queued already. Only the latest counts, so a digest whose time passed while nothing
 * ran is sent once when next checked, not once per period it missed.
 */
export function dueOccurrence(
  schedule: DigestSchedule,
  lastPeriodKey: string | null,
  now: Date,
): Occurrence | null {
  const latest = latestOccurrence(schedule, now);
  return lastPeriodKey !== null && latest.periodKey <= lastPeriodKey ? null : latest;
}

/** `08:00` as typed, checked: two digits each, a real time of day. */
export const LOCAL_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** `HH:MM` of a Date's UTC reading; for tests and defaults. */
export const hhmm = (hours: number, minutes: number) => `${pad(hours)}:${pad(minutes)}`;
