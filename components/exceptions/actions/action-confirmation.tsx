"use client";

import { useEffect, useRef } from "react";
import styles from "../exceptions.module.css";
import { DateTime } from "@/components/ui/date-time";

/**
 * What the last action did, in words, with the time: it stays until the next action (a toast
 * that vanishes would leave the reader unsure), and focus moves to it because the control that
 * was used is often gone from the re-rendered page.
 */
export function ActionConfirmation({
  confirmation,
}: {
  confirmation: { text: string; at: number } | null;
}) {
  const ref = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (confirmation) ref.current?.focus();
  }, [confirmation]);
  if (!confirmation) return null;
  return (
    <p
      ref={ref}
      tabIndex={-1}
      role="status"
      className={`alert success ${styles.confirmation}`}
      style={{ margin: 0 }}
      data-testid="action-confirmation"
    >
      {confirmation.text}{" "}
      <span className="muted">
        (<DateTime value={new Date(confirmation.at)} />)
      </span>
    </p>
  );
}
