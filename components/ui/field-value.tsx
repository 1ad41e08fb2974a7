"use client";

import { formatFieldValue } from "@/lib/humanise";
import { useTimeZone } from "./date-time";

/**
 * One stored field in words (lib/humanise.ts): an amount in its currency, an instant in the
 * reader's zone. A client component only to read the zone; server pages render it as well.
 */
export function FieldValue({
  name,
  value,
  currency,
}: {
  name: string;
  value: unknown;
  currency?: string | null;
}) {
  const timeZone = useTimeZone();
  return <>{formatFieldValue(name, value, { currency, timeZone })}</>;
}
