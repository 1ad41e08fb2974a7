import { redirect } from "next/navigation";
import type { Db } from "@/db/client";
import { ClosePageHeader } from "@/components/close/page-header";
import { PortfolioGrid, PortfolioSummary } from "@/components/close/portfolio";
import styles from "@/components/close/close.module.css";
import { periodLabel } from "@/lib/close/period";
import { computeClosePortfolio, portfolioPeriods } from "@/lib/close/portfolio";
import { configuredCompletenessTarget } from "@/lib/close/readiness";
import { PortfolioPicker } from "./client";
import { periodOrPrevious, pickerPeriods, REFRESH_MS } from "./picker-periods";
import { serializeCloseParams, type CloseParams } from "./search-params";
import { DateTime } from "@/components/ui/date-time";

/** Every entity × six accounting periods, GO or NO-GO with blockers, newest period first. */
export async function PortfolioView({
  db,
  params,
  entities,
}: {
  db: Db;
  params: CloseParams;
  /** At least one: the page shows an empty state without. */
  entities: string[];
}) {
  // The window ends by default with the previous month, the one usually being closed; it is
  // written into the URL so that what is on screen is a link that shows the same.
  const through = periodOrPrevious(params.through);
  if (through.key !== params.through) {
    redirect(`/close${serializeCloseParams({ through: through.key })}`);
  }

  const periods = portfolioPeriods(through);
  const portfolio = await computeClosePortfolio(db, {
    entities,
    periods,
    completenessTarget: await configuredCompletenessTarget(db),
  });
  const oldest = periods[periods.length - 1]!;

  return (
    <div className={styles.page}>
      <ClosePageHeader
        title="Close portfolio"
        scope={
          <>
            {entities.length === 1 ? "1 entity" : `All ${entities.length} entities`} ·{" "}
            {periodLabel(oldest)} – {periodLabel(through)} (accounting periods in UTC)
          </>
        }
        scopeTestId="portfolio-scope"
        renderedAt={portfolio.generatedAt}
        refreshMs={REFRESH_MS}
      />

      <PortfolioPicker periods={pickerPeriods(through)} through={through.key} />

      <PortfolioSummary portfolio={portfolio} />

      <section aria-labelledby="portfolio-heading">
        <h2 id="portfolio-heading">GO / NO-GO by entity and month</h2>
        <p className="muted">
          Each cell is the verdict of that entity-month&apos;s checklist and the number of items
          blocking it; open a cell for the checklist and its blockers. Checked{" "}
          <DateTime value={portfolio.generatedAt} />.
        </p>
        <PortfolioGrid portfolio={portfolio} />
      </section>
    </div>
  );
}
