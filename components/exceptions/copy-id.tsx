"use client";

import { useState } from "react";
import styles from "./exceptions.module.css";

/**
 * A long identifier cut to its start so tables keep their columns, with the whole id in a
 * tooltip and a button that copies it (what an analyst pastes into the ERP or a ticket).
 */
export function CopyId({ label, id }: { label: string; id: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <span className={styles.idChip}>
      <span className="visually-hidden">{label} </span>
      <code className={styles.idText} title={`${label} ${id}`}>
        {id}
      </code>
      <button
        type="button"
        className={styles.copyButton}
        aria-label={copied ? `${label} ${id} copied` : `Copy ${label.toLowerCase()} ${id}`}
        title={`Copy ${label.toLowerCase()} ${id}`}
        onClick={() => {
          void navigator.clipboard?.writeText(id).then(() => {
            setCopied(true);
            setTimeout(() => setCopied(false), 2000);
          });
        }}
      >
        {copied ? "Copied" : "Copy"}
      </button>
    </span>
  );
}
