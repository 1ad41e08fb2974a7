import Link from "next/link";
import type { InvoiceThread, ThreadException } from "@/lib/contract/thread-api";
import { formatDuration } from "@/lib/format";
import { STATUS_WORDS } from "@/lib/thread/vocabulary";
import { DateTime } from "@/components/ui/date-time";
import styles from "./thread.module.css";

/*
 * One invoice's thread as an ordered list, a hop per stage. Each status is written out (not
 * only coloured), the first stuck or late hop is marked in words as well as outlined, and
 * every record behind a hop links to its page.
 */

const TONE = { done: "ok", late: "warn", stuck: "bad", pending: "", not_applicable: "" } as const;

export function ThreadTimeline({
  thread,
  headingLevel = 3,
}: {
  thread: InvoiceThread;
  headingLevel?: 3 | 4;
}) {
  const Heading = `h${headingLevel}` as const;
  return (
    <ol className="card-list" aria-label={`Revenue thread of invoice ${thread.invoice.invoiceId}`}>
      {thread.hops.map((hop) => {
        const highlighted = hop.stage === thread.stuckStage;
        return (
          <li
            key={hop.stage}
            className={`${styles.hop} ${highlighted ? styles.highlight : ""}`}
            data-status={hop.status}
            data-stage={hop.stage}
            data-testid={`hop-${hop.stage}`}
          >
            <div className={styles.hopHead}>
              <Heading>{hop.label}</Heading>
              <span className={`badge ${TONE[hop.status]}`} data-testid="hop-status">
                {STATUS_WORDS[hop.status]}
              </span>
              {highlighted ? <strong>First problem on this thread</strong> : null}
            </div>
            <p style={{ margin: "0.25rem 0" }}>{hop.summary}</p>
            <dl className={styles.measures}>
              <div>
                <dt>When</dt>
                <dd>{hop.at ? <DateTime value={hop.at} /> : "not reached"}</dd>
              </div>
              {hop.durationMs !== null ? (
                <div>
                  <dt>Took</dt>
                  <dd>{formatDuration(hop.durationMs)} after the step before</dd>
                </div>
              ) : null}
              <div>
                <dt>Target</dt>
                <dd>{hop.target ?? "none set"}</dd>
              </div>
            </dl>
            {hop.items.length > 0 ? (
              <ul className={styles.items}>
                {hop.items.map((item, i) => (
                  <li key={i}>
                    {item.href ? <Link href={item.href}>{item.label}</Link> : item.label}:{" "}
                    {item.detail}
                    {item.at ? (
                      <>
                        {" "}
                        (<DateTime value={item.at} />)
                      </>
                    ) : null}
                  </li>
                ))}
              </ul>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}

export function ThreadExceptions({
  exceptions,
  empty,
}: {
  exceptions: readonly ThreadException[];
  empty: string;
}) {
  if (exceptions.length === 0) return <p className="muted">{empty}</p>;
  return (
    <ul data-testid="thread-exceptions">
      {exceptions.map((x) => (
        <li key={x.id}>
          <Link href={x.href}>{x.title}</Link> — {x.status.replace(/_/g, " ")}, opened{" "}
          <DateTime value={x.openedAt} />
        </li>
      ))}
    </ul>
  );
}
