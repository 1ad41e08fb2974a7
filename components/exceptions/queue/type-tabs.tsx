"use client";

import Link from "next/link";
import type { MouseEvent } from "react";
import type { QueueCounts } from "@/lib/exceptions/queue";
import { serializeQueueParams, type QueueParams } from "@/lib/exceptions/queue-params";
import { TYPE_LABELS, TYPES } from "@/lib/exceptions/vocabulary";
import { formatCount } from "@/lib/format";
import styles from "../exceptions.module.css";
import { totalOf } from "./counts";

/** One tab per exception type, each with how many match the other filters. */
export function TypeTabs({
  params,
  counts,
  onSelect,
}: {
  params: QueueParams;
  counts: QueueCounts | undefined;
  onSelect: (type: QueueParams["type"]) => void;
}) {
  const tab = (type: QueueParams["type"], label: string) => {
    const href = `/exceptions${serializeQueueParams({ ...params, type, after: null, before: null })}`;
    const current = params.type === type;
    const total = counts ? totalOf(counts, type) : null;
    return (
      <li key={type ?? "all"}>
        <Link
          href={href}
          aria-current={current ? "page" : undefined}
          onClick={(e: MouseEvent) => {
            // A plain click switches in place (shallow); a modified one opens the link as usual.
            if (e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || e.button !== 0) return;
            e.preventDefault();
            onSelect(type);
          }}
        >
          {label}
          {total ? (
            <span className={styles.count}>
              {formatCount(total.count)}
              {total.capped ? "+" : ""}
            </span>
          ) : null}
        </Link>
      </li>
    );
  };
  return (
    <nav aria-label="Exception types">
      <ul className={styles.tabs}>
        {tab(null, "All")}
        {TYPES.map((type) => tab(type, TYPE_LABELS[type]))}
      </ul>
    </nav>
  );
}
