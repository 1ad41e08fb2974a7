"use client";

import { RouteError } from "@/components/ui/route-error";

/* No verdict rather than a partial one: a GO built on a failed query would be worse than none. */
export default function CloseError({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <RouteError
      error={error}
      retry={retry}
      id="close-error"
      title="Close readiness could not be computed"
    >
      No verdict is shown rather than an incomplete one. Your entity and period are kept; try again
      in a moment.
    </RouteError>
  );
}
