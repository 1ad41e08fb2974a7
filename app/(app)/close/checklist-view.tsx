import Link from "next/link";
import { redirect } from "next/navigation";
import type { Db } from "@/db/client";
import { CheckDefinitions, Checklist, VerdictBanner } from "@/components/close/checklist";
import { ClosePageHeader } from "@/components/close/page-header";
import styles from "@/components/close/close.module.css";
import { can, PERMISSIONS, type Permission } from "@/lib/auth/permissions";
import type { CurrentUser } from "@/lib/auth/session";
import { periodLabel } from "@/lib/close/period";
import { loadCloseChecklist } from "@/lib/close/checklist";
import { formatDateTime, formatMoney } from "@/lib/format";
import { MaterialityForm, PeriodCloseForm, PeriodPicker, PrintButton } from "./client";
import { periodOrPrevious, pickerPeriods, REFRESH_MS } from "./picker-periods";
import { serializeCloseParams, type CloseParams } from "./search-params";
import { DateTime } from "@/components/ui/date-time";
import { DataTable } from "@/components/table/data-table";

/** One entity-month's checklist: /close?entity=…&period=… (the portfolio links each cell here). */
export async function ChecklistView({
  db,
  user,
  params,
  entities,
}: {
  db: Db;
  user: CurrentUser;
  params: CloseParams;
  /** At least one: the page shows an empty state without. */
  entities: string[];
}) {
  // Defaults: the first entity and the previous calendar month, the period usually being closed.
  // They are written into the URL, so what is on screen is always a link that shows the same.
  const entity = params.entity && entities.includes(params.entity) ? params.entity : entities[0]!;
  const period = periodOrPrevious(params.period);
  if (entity !== params.entity || period.key !== params.period) {
    redirect(`/close${serializeCloseParams({ entity, period: period.key })}`);
  }

  const canManage = can(user.role, "close:manage");
  const allowed = (Object.keys(PERMISSIONS) as Permission[]).filter((p) => can(user.role, p));
  const { report, thresholds, currencies } = await loadCloseChecklist(db, { entity, period });
  const query = serializeCloseParams({ entity, period: period.key });
  const csvHref = `/api/v1/close-readiness.csv${query}`;
  const currenciesWithout = currencies.filter((c) => !thresholds.some((t) => t.currency === c));

  return (
    <div className={styles.page}>
      <ClosePageHeader
        back={<Link href="/close">← Close portfolio: all entities</Link>}
        title="Close readiness"
        scope={
          <>
            {entity} · {periodLabel(period)} (<DateTime value={period.start} /> –{" "}
            <DateTime value={period.end} />)
          </>
        }
        scopeTestId="close-scope"
        renderedAt={report.generatedAt}
        refreshMs={REFRESH_MS}
      >
        <PrintButton />
        <a className="button" href={csvHref} download>
          Download CSV
        </a>
      </ClosePageHeader>

      <PeriodPicker
        entities={entities}
        entity={entity}
        periods={pickerPeriods(period)}
        period={period.key}
      />

      <VerdictBanner report={report} />

      <section aria-labelledby="checklist-heading">
        <h2 id="checklist-heading">Checklist</h2>
        <Checklist report={report} allowed={allowed} csvHref={csvHref} />
      </section>

      {canManage ? (
        <section className="card no-print" aria-labelledby="period-heading">
          <h2 id="period-heading">{report.closed ? "Period closed" : "Close the period"}</h2>
          <p className="muted">
            {report.closed
              ? `Closed ${formatDateTime(report.closed.closedAt)}${report.closed.closedBy ? ` by ${report.closed.closedBy}` : ""}. Reopening is recorded in the audit log with its reason.`
              : "Marking the period closed records who closed it, the verdict and its blockers in the audit log."}
          </p>
          <PeriodCloseForm
            entity={entity}
            period={period.key}
            periodLabel={periodLabel(period)}
            closed={report.closed !== null}
            go={report.verdict === "go"}
          />
        </section>
      ) : null}

      <section className="card" aria-labelledby="materiality-heading">
        <h2 id="materiality-heading">Materiality for {entity}</h2>
        <p className="muted">
          Reconciliation breaks and open disputes at or below the threshold of their currency do not
          block the close. A currency without a threshold has 0: every difference counts.
        </p>
        {thresholds.length > 0 ? (
          <DataTable
            stack={false}
            testId="materiality"
            rows={thresholds.map((t) => ({ ...t, id: t.currency }))}
            columns={[
              { header: "Currency", cell: (t) => t.currency },
              {
                header: "Threshold",
                numeric: true,
                cell: (t) => formatMoney(t.thresholdMinor, t.currency),
              },
              { header: "Last changed", cell: (t) => <DateTime value={t.updatedAt} /> },
            ]}
          />
        ) : null}
        {currenciesWithout.length > 0 ? (
          <p>No threshold, so 0, in: {currenciesWithout.join(", ")}.</p>
        ) : null}
        {canManage ? (
          <div className="no-print" style={{ marginTop: "1rem" }}>
            <MaterialityForm entity={entity} currencies={currencies} />
          </div>
        ) : null}
      </section>

      <section className="card" aria-labelledby="definitions-heading">
        <h2 id="definitions-heading">How each check is decided</h2>
        <CheckDefinitions completenessTarget={report.completenessTarget} />
      </section>

      <p className={`muted ${styles.printOnly}`}>
        Printed from Closeline <DateTime value={report.generatedAt} /> by {user.email}.
      </p>
    </div>
  );
}
