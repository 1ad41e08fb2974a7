import type { Db } from "@/db/client";
import { lockUserTimeZone, updateUserTimeZone } from "@/db/queries/users";
import { writeAudit, type AuditActor, type RequestMeta } from "@/lib/audit";
import { InvalidInput, NotFound } from "@/lib/errors";
import { DEFAULT_TIME_ZONE } from "@/lib/format";
import { isTimeZone, TimeZoneSchema } from "@/lib/time-zone-name";

/*
 * Each user reads dates in the zone they choose on their profile (UTC until they do). Only
 * IANA "Area/Location" names are stored, spelled as the database spells them: an abbreviation
 * ("CET", "EST5EDT") hides which rules apply, and an unknown name would make every page that
 * formats a date throw. Names are checked against the runtime's own zone data rather than
 * its list of canonical ids, because that list lags renames (Node's still says Asia/Calcutta
 * where browsers report Asia/Kolkata) and a browser's zone must be accepted.
 */

/** The zones offered in the picker: UTC first, then the runtime's IANA names. */
export const TIME_ZONES: readonly string[] = [
  DEFAULT_TIME_ZONE,
  ...Intl.supportedValuesOf("timeZone").filter((zone) => zone !== DEFAULT_TIME_ZONE),
];

export { isTimeZone, TimeZoneSchema } from "@/lib/time-zone-name";

/** The zone to render in: the stored one if this runtime still knows it, else UTC. */
export function effectiveTimeZone(stored: string | null | undefined): string {
  return stored && isTimeZone(stored) ? stored : DEFAULT_TIME_ZONE;
}

export interface TimeZoneChange {
  before: string;
  after: string;
  /** False when the user already had that zone; nothing was written then. */
  changed: boolean;
}

/** Stores the user's zone and audits the change in the same transaction. */
export async function setUserTimeZone(
  db: Db,
  userId: string,
  zone: string,
  actor: AuditActor,
  meta?: RequestMeta,
): Promise<TimeZoneChange> {
  const parsed = TimeZoneSchema.safeParse(zone);
  if (!parsed.success) {
    const problem = `time zone: ${parsed.error.issues[0]?.message ?? "invalid"}`;
    throw new InvalidInput(problem, [problem]);
  }
  const after = parsed.data;
  return db.transaction(async (tx) => {
    const current = await lockUserTimeZone(tx, userId);
    if (!current) throw new NotFound("No such user");
    if (current.timeZone === after) return { before: after, after, changed: false };
    await updateUserTimeZone(tx, userId, after);
    await writeAudit(tx, {
      actor,
      action: "user.time_zone_changed",
      target: { type: "user", id: userId },
      before: { email: current.email, timeZone: current.timeZone },
      after: { email: current.email, timeZone: after },
      meta,
    });
    return { before: current.timeZone, after, changed: true };
  });
}
