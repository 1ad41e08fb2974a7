"use client";

import { useEffect } from "react";

/**
 * The error state of a route segment: what failed, that the filters (in the URL) are kept,
 * and a retry. Server errors reach the browser without their message in production, so only
 * the digest that finds the server's log line is shown.
 */
export function RouteError({
  error,
  retry,
  id,
  title,
  children,
}: {
  error: unknown;
  retry: () => void;
  id: string;
  title: string;
  children: React.ReactNode;
}) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  const digest =
    error instanceof Error && "digest" in error
      ? String((error as { digest?: unknown }).digest ?? "")
      : "";
  return (
    <section className="card" role="alert" aria-labelledby={id}>
      <h1 id={id}>{title}</h1>
      <p>{children}</p>
      {digest ? <p className="muted">Reference: {digest}</p> : null}
      <button type="button" className="primary" onClick={() => retry()}>
        Try again
      </button>
    </section>
  );
}
