"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import type { AlertCounts } from "@/lib/alerts/list";

/** How often the bell asks again: alerts are evaluated every minute. */
const REFRESH_MS = 30_000;

async function fetchCounts(signal: AbortSignal): Promise<AlertCounts> {
  const response = await fetch("/api/v1/alerts/counts", {
    signal,
    headers: { accept: "application/json" },
    cache: "no-store",
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return (await response.json()) as AlertCounts;
}

/** The link's name says the count; it avoids the word "Alerts", the navigation link's name. */
export const alertBellLabel = (firing: number) => `Firing alert count: ${firing}`;

/**
 * The shell's bell: how many alerts are firing, linking to them. It starts from the count the
 * page was rendered with and polls; when a poll fails it keeps the last count it had.
 */
export function AlertBell({ initial }: { initial: AlertCounts }) {
  const { data } = useQuery({
    queryKey: ["alerts", "counts"],
    queryFn: ({ signal }) => fetchCounts(signal),
    initialData: initial,
    refetchInterval: REFRESH_MS,
  });
  const firing = data?.firing ?? initial.firing;
  return (
    <Link
      href="/alerts?state=firing"
      className={`alert-bell${firing > 0 ? " firing" : ""}`}
      aria-label={alertBellLabel(firing)}
      data-testid="alert-bell"
    >
      <svg aria-hidden="true" width="18" height="18" viewBox="0 0 24 24" fill="none">
        <path
          d="M6 16V11a6 6 0 1 1 12 0v5l2 2H4l2-2Zm4 4h4"
          stroke="currentColor"
          strokeWidth="2"
          strokeLinecap="round"
          strokeLinejoin="round"
        />
      </svg>
      {firing > 0 ? (
        <span className="alert-bell-count" aria-hidden="true">
          {firing > 99 ? "99+" : firing}
        </span>
      ) : null}
    </Link>
  );
}
