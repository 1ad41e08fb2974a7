"use client";

import { formatTimeOfDay } from "@/lib/format";
import { useTimeZone } from "@/components/ui/date-time";

/**
 * "As of 14:05:09": shown in a page's header when its data came from a read replica that is
 * behind the primary (lib/server/read-routing.ts), so nobody takes it for this second's.
 */
export function AsOf({ asOf }: { asOf: string | null }) {
  const timeZone = useTimeZone();
  if (!asOf) return null;
  return (
    <p
      className="muted"
      style={{ margin: 0 }}
      data-testid="as-of"
      title="Served by a read replica that is a little behind; your own changes always show"
    >
      As of <time dateTime={asOf}>{formatTimeOfDay(asOf, timeZone)}</time>
    </p>
  );
}
