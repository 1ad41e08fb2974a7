"use client";

import { RouteError } from "@/components/ui/route-error";

export default function ExceptionsError({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <RouteError
      error={error}
      retry={retry}
      id="exceptions-error"
      title="The exceptions could not be loaded"
    >
      Closeline could not read the exceptions just now. Your filters are kept; try again in a
      moment.
    </RouteError>
  );
}
