import type { AlertSeverity } from "@/lib/contract/alert-rules";
import type { QuietHours } from "@/lib/contract/alert-channels";

/*
 * A channel's quiet hours: from `start` to `end` local time in the channel's time zone, over
 * midnight when the end comes first. A notice due inside them is held until they end; a
 * critical one goes at once when the channel lets critical bypass them.
 */

const DAY_MINUTES = 24 * 60;

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Minutes since local midnight at `at` in `timeZone`, with the seconds as a fraction. */
export function localMinutes(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hourCycle: "h23",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return (
    part("hour") * 60 + part("minute") + (part("second") + at.getUTCMilliseconds() / 1000) / 60
  );
}

function inside(minute: number, start: number, end: number): boolean {
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

/**
 * When a notice due at `at` may go out: null for now, or the end of the quiet hours it falls
 * in. Where a clock change makes the local end time come early or never, the instant is
 * taken after the change, so a held notice never waits past the first local `end`.
 */
export function quietHoursEnd(
  quiet: QuietHours | null | undefined,
  severity: AlertSeverity | string,
  at: Date,
): Date | null {
  if (!quiet) return null;
  if (quiet.criticalBypass && severity === "critical") return null;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  const now = localMinutes(at, quiet.timeZone);
  if (!inside(now, start, end)) return null;
  const ahead = (end - now + DAY_MINUTES) % DAY_MINUTES;
  let candidate = new Date(at.getTime() + Math.round(ahead * 60_000));
  // Clocks went back meanwhile: the local end is still ahead by the hour that repeated.
  const drift = (end - localMinutes(candidate, quiet.timeZone) + DAY_MINUTES) % DAY_MINUTES;
  if (drift > 1e-6 && drift < DAY_MINUTES / 2) {
    candidate = new Date(candidate.getTime() + Math.round(drift * 60_000));
  }
  return candidate;
}
