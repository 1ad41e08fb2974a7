import { formatDuration } from "@/lib/format";
import { SLA_TEXT, exceptionAgeMs, slaLevel } from "@/lib/exceptions/sla";
import {
  SEVERITY_LABELS,
  STATUS_LABELS,
  type ExceptionStatus,
  type Severity,
} from "@/lib/exceptions/vocabulary";
import styles from "./exceptions.module.css";

/*
 * Severity, status and SLA age, each in words as well as colour (colour alone says nothing
 * to a screen reader or on a monochrome print).
 */

const SEVERITY_TONE: Record<Severity, string> = {
  critical: "bad",
  high: "warn",
  medium: "",
  low: "",
};

export function SeverityBadge({ severity }: { severity: Severity }) {
  return <span className={`badge ${SEVERITY_TONE[severity]}`}>{SEVERITY_LABELS[severity]}</span>;
}

const STATUS_TONE: Record<ExceptionStatus, string> = {
  open: "",
  in_progress: "warn",
  awaiting_approval: "warn",
  awaiting_confirmation: "warn",
  resolved: "ok",
  dismissed: "",
};

export function StatusBadge({ status, testId }: { status: ExceptionStatus; testId?: string }) {
  return (
    <span className={`badge ${STATUS_TONE[status]}`} data-testid={testId}>
      {STATUS_LABELS[status]}
    </span>
  );
}

/** The exception's age, and while it is open how it stands against the SLA (over 24 h warning, over 72 h breached). */
export function SlaAge({
  openedAt,
  closedAt,
  now,
}: {
  openedAt: string | Date;
  closedAt: string | Date | null;
  now: Date;
}) {
  const ageMs = exceptionAgeMs(openedAt, closedAt, now);
  const level = slaLevel(ageMs);
  return (
    <span className={styles.age}>
      <span>{formatDuration(ageMs)}</span>
      {closedAt ? (
        <span className={styles.sub}>until closed</span>
      ) : level === "ok" ? null : (
        <span className={`badge ${level === "breached" ? "bad" : "warn"}`}>{SLA_TEXT[level]}</span>
      )}
    </span>
  );
}
