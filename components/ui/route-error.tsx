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

/*
 * What each segment says when it fails. No verdict rather than a partial one: a GO built on a
 * failed query would be worse than none; the numbers are not shown rather than stale or partial.
 */
const SEGMENT_ERRORS = {
  close: {
    title: "Close readiness could not be computed",
    message:
      "No verdict is shown rather than an incomplete one. Your entity and period are kept; try again in a moment.",
  },
  exceptions: {
    title: "The exceptions could not be loaded",
    message:
      "Closeline could not read the exceptions just now. Your filters are kept; try again in a moment.",
  },
  overview: {
    title: "The numbers could not be loaded",
    message:
      "Closeline could not compute this view just now. Your filters are kept; try again in a moment.",
  },
} as const;

/** The error component of a segment (its error.tsx's default export); retry re-renders it. */
export function segmentError(segment: keyof typeof SEGMENT_ERRORS) {
  const { title, message } = SEGMENT_ERRORS[segment];
  function SegmentError({ error, retry }: { error: unknown; retry: () => void }) {
    return (
      <RouteError error={error} retry={retry} id={`${segment}-error`} title={title}>
        {message}
      </RouteError>
    );
  }
  return SegmentError;
}
