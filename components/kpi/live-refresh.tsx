"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState, useTransition } from "react";

/*
 * Keeps a server-rendered page current: every `intervalMs` it asks the server for the page
 * again (router.refresh), which re-renders the server components with the same URL — so the
 * filters, which live in the URL, stay — and merges the result without touching scroll
 * position or client state. Paused while the tab is hidden; refreshes once on return.
 */
export function LiveRefresh({
  intervalMs = 30_000,
  renderedAt,
}: {
  intervalMs?: number;
  renderedAt: string;
}) {
  const router = useRouter();
  const [refreshing, startTransition] = useTransition();
  const [paused, setPaused] = useState(false);

  useEffect(() => {
    if (paused) return;
    let last = Date.now();
    const refresh = () => {
      last = Date.now();
      startTransition(() => router.refresh());
    };
    const timer = window.setInterval(() => {
      if (document.visibilityState === "visible") refresh();
    }, intervalMs);
    const onVisibility = () => {
      if (document.visibilityState === "visible" && Date.now() - last >= intervalMs) refresh();
    };
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [intervalMs, paused, router]);

  const time = new Date(renderedAt).toISOString().slice(11, 19);
  return (
    <div className="form-row" style={{ alignItems: "center", gap: "0.5rem" }}>
      <span className="muted" data-testid="live-status">
        {paused ? "Paused" : refreshing ? "Refreshing…" : `Live · updated ${time} UTC`}
      </span>
      <button type="button" onClick={() => setPaused((p) => !p)} aria-pressed={paused}>
        {paused ? "Resume live updates" : "Pause live updates"}
      </button>
    </div>
  );
}
