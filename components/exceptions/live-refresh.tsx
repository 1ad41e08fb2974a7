"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";
import styles from "./exceptions.module.css";

/**
 * Re-renders the page on the server every `intervalMs` while the tab is visible, so an
 * exception the telemetry closes (or a colleague resolves) shows it without a reload. The
 * URL and any text being typed stay as they are: a refresh only replaces server output.
 */
export function LiveRefresh({
  intervalMs,
  renderedAtText,
}: {
  intervalMs: number;
  renderedAtText: string;
}) {
  const router = useRouter();
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") router.refresh();
    }, intervalMs);
    return () => clearInterval(timer);
  }, [router, intervalMs]);
  return (
    <span className={styles.live}>
      Updated {renderedAtText} · refreshes every {Math.round(intervalMs / 1000)} s
    </span>
  );
}
