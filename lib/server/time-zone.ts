import "server-only";
import { effectiveTimeZone } from "@/lib/auth/time-zone";
import { getCurrentUser } from "@/lib/auth/session";

/**
 * The zone the signed-in user reads dates in (UTC without a session), for server code that
 * builds text: `formatDateTime(value, await getUserTimeZone())`. In JSX, <DateTime> from
 * components/ui/date-time.tsx reads the same zone from the layout's provider.
 */
export async function getUserTimeZone(): Promise<string> {
  return effectiveTimeZone((await getCurrentUser())?.timeZone);
}
