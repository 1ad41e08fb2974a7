"use client";

import { RouteError } from "@/components/ui/route-error";

/* The numbers are not shown rather than shown stale or partial; retry re-fetches the segment. */
export default function OverviewError({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <RouteError
      error={error}
      retry={retry}
      id="overview-error"
      title="The numbers could not be loaded"
    >
      Closeline could not compute this view just now. Your filters are kept; try again in a moment.
    </RouteError>
  );
}
