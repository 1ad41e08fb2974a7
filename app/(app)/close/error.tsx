"use client";

import { useEffect } from "react";

/*
 * Close readiness could not be computed. No verdict is shown rather than a partial one: a GO
 * built on a failed query would be worse than none. Retry renders the page again with the
 * same entity and period, which live in the URL.
 */
export default function CloseError({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  const digest =
    error instanceof Error && "digest" in error
      ? String((error as { digest?: unknown }).digest ?? "")
      : "";
  return (
    <section className="card" role="alert" aria-labelledby="close-error">
      <h1 id="close-error">Close readiness could not be computed</h1>
      <p>
        No verdict is shown rather than an incomplete one. Your entity and period are kept; try
        again in a moment.
      </p>
      {digest ? <p className="muted">Reference: {digest}</p> : null}
      <button type="button" className="primary" onClick={() => retry()}>
        Try again
      </button>
    </section>
  );
}
