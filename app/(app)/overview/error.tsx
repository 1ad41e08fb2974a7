"use client";

import { useEffect } from "react";

/*
 * The overview or a drill-down failed to render (database down, a query error). The numbers
 * are not shown rather than shown stale or partial; retry re-fetches the segment. Server
 * errors arrive without their message in production, so none is shown, only the digest
 * that finds the server's log line.
 */
export default function OverviewError({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  const digest =
    error instanceof Error && "digest" in error
      ? String((error as { digest?: unknown }).digest ?? "")
      : "";
  return (
    <section className="card" role="alert" aria-labelledby="overview-error">
      <h1 id="overview-error">The numbers could not be loaded</h1>
      <p>
        Closeline could not compute this view just now. Your filters are kept; try again in a
        moment.
      </p>
      {digest ? <p className="muted">Reference: {digest}</p> : null}
      <button type="button" className="primary" onClick={() => retry()}>
        Try again
      </button>
    </section>
  );
}
