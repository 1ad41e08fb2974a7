import type { ReactNode } from "react";
import { LiveRefresh } from "@/components/kpi/live-refresh";
import styles from "./close.module.css";

/**
 * The head of a close page: its title and what it covers, and beside them, left out of print,
 * the page refreshing itself and whatever else the page offers (print, a CSV).
 */
export function ClosePageHeader({
  back,
  title,
  scope,
  scopeTestId,
  renderedAt,
  refreshMs,
  children,
}: {
  /** A link above the title, back to where the page was opened from. */
  back?: ReactNode;
  title: string;
  scope: ReactNode;
  scopeTestId: string;
  renderedAt: string;
  refreshMs: number;
  children?: ReactNode;
}) {
  return (
    <div className={styles.header}>
      <div>
        {back ? <p className={`no-print ${styles.back}`}>{back}</p> : null}
        <h1>{title}</h1>
        <p className={styles.subtitle} data-testid={scopeTestId}>
          {scope}
        </p>
      </div>
      <div className="form-row no-print">
        <LiveRefresh intervalMs={refreshMs} renderedAt={renderedAt} />
        {children}
      </div>
    </div>
  );
}
