"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import styles from "../exceptions.module.css";
import { DateTime } from "@/components/ui/date-time";

/** What an action did, in words, and when. */
export interface Confirmation {
  text: string;
  at: number;
}

/** The confirmation of the last action: `confirm(text)` says what was done now, `confirm(null)` clears it. */
export function useConfirmation() {
  const [confirmation, setConfirmation] = useState<Confirmation | null>(null);
  const confirm = useCallback(
    (text: string | null) => setConfirmation(text === null ? null : { text, at: Date.now() }),
    [],
  );
  return { confirmation, confirm };
}

/**
 * What the last action did, in words, with the time: it stays until the next action (a toast
 * that vanishes would leave the reader unsure), and focus moves to it because the control that
 * was used is often gone from the re-rendered page.
 */
export function ActionConfirmation({ confirmation }: { confirmation: Confirmation | null }) {
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
