"use client";

import { createContext, useCallback, useContext, type ReactNode } from "react";
import { DEFAULT_TIME_ZONE, formatDateTime } from "@/lib/format";

/*
 * The signed-in user's time zone for client components. The app layout provides it from the
 * session (lib/server/time-zone.ts), so server and browser render the same text and hydration
 * never disagrees with the browser's own zone.
 */
const TimeZoneContext = createContext<string>(DEFAULT_TIME_ZONE);

export function TimeZoneProvider({
  timeZone,
  children,
}: {
  timeZone: string;
  children: ReactNode;
}) {
  return <TimeZoneContext.Provider value={timeZone}>{children}</TimeZoneContext.Provider>;
}

export function useTimeZone(): string {
  return useContext(TimeZoneContext);
}

/** formatDateTime in the user's zone, for client components that build strings. */
export function useFormatDateTime(): (value: Date | string | null | undefined) => string {
  const timeZone = useTimeZone();
  return useCallback((value) => formatDateTime(value, timeZone), [timeZone]);
}

/**
 * An instant in the user's zone inside a <time> element, so the exact moment stays
 * machine-readable. Usable from server components too: it reads the layout's provider.
 */
export function DateTime({ value }: { value: Date | string | null | undefined }) {
  const timeZone = useTimeZone();
  const date = typeof value === "string" ? new Date(value) : value;
  if (!date || Number.isNaN(date.getTime())) return <>—</>;
  return <time dateTime={date.toISOString()}>{formatDateTime(date, timeZone)}</time>;
}

/** An instant that may not have happened yet (last used, expires): "never" when it has not. */
export function DateTimeOrNever({ value }: { value: Date | string | null | undefined }) {
  return value ? <DateTime value={value} /> : <span className="muted">never</span>;
}
