import "server-only";
import { effectiveTimeZone } from "@/lib/auth/time-zone";
import { getCurrentUser } from "@/lib/auth/session";
import { formatDateTime } from "@/lib/format";

/** The zone the signed-in user reads dates in; UTC without a session. */
export async function getUserTimeZone(): Promise<string> {
  return effectiveTimeZone((await getCurrentUser())?.timeZone);
}

/** formatDateTime bound to the signed-in user's zone, for server code that builds strings. */
export async function getDateTimeFormatter(): Promise<
  (value: Date | string | null | undefined) => string
> {
  const timeZone = await getUserTimeZone();
  return (value) => formatDateTime(value, timeZone);
}
