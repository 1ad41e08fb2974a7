"use client";

import { useEffect } from "react";

/*
 * The queue or an exception failed to render (database down, a query error). Server errors
 * arrive without their message in production, so only the digest that finds the server's
 * log line is shown; the URL, and with it every filter, is kept for the retry.
 */
export default function ExceptionsError({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  const digest =
    error instanceof Error && "digest" in error
      ? String((error as { digest?: unknown }).digest ?? "")
      : "";
  return (
    <section className="card" role="alert" aria-labelledby="exceptions-error">
      <h1 id="exceptions-error">The exceptions could not be loaded</h1>
      <p>
        Closeline could not read the exceptions just now. Your filters are kept; try again in a
        moment.
      </p>
      {digest ? <p className="muted">Reference: {digest}</p> : null}
      <button type="button" className="primary" onClick={() => retry()}>
        Try again
      </button>
    </section>
  );
}
