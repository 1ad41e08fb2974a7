import { redirect } from "next/navigation";
import type { Db } from "@/db/client";
import { PortfolioGrid, PortfolioSummary } from "@/components/close/portfolio";
import { LiveRefresh } from "@/components/kpi/live-refresh";
import styles from "@/components/close/close.module.css";
import {
  PERIOD_KEY,
  periodContaining,
  periodFromKey,
  periodLabel,
  previousPeriod,
  shiftPeriod,
} from "@/lib/close/period";
import { computeClosePortfolio, portfolioPeriods } from "@/lib/close/portfolio";
import { configuredCompletenessTarget } from "@/lib/close/readiness";
import { PortfolioPicker } from "./client";
import { serializeCloseParams, type CloseParams } from "./search-params";
import { DateTime } from "@/components/ui/date-time";

/** The same pace as the checklist: telemetry keeps arriving while months are closed. */
const REFRESH_MS = 60_000;

/** How far back the "through" picker reaches; older windows stay reachable by URL. */
const PICKER_MONTHS = 24;

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
  const through =
    params.through && PERIOD_KEY.test(params.through)
      ? periodFromKey(params.through)
      : previousPeriod();
  if (through.key !== params.through) {
    redirect(`/close${serializeCloseParams({ through: through.key })}`);
  }
  const current = periodContaining(new Date());
  const choices = Array.from({ length: PICKER_MONTHS + 1 }, (_, i) => shiftPeriod(current, -i));
  if (!choices.some((p) => p.key === through.key)) choices.push(through);
  choices.sort((a, b) => b.start.getTime() - a.start.getTime());

  const periods = portfolioPeriods(through);
  const portfolio = await computeClosePortfolio(db, {
    entities,
    periods,
    completenessTarget: await configuredCompletenessTarget(db),
  });
  const oldest = periods[periods.length - 1]!;

  return (
    <div className={styles.page}>
      <div className={styles.header}>
        <div>
          <h1>Close portfolio</h1>
          <p className={styles.subtitle} data-testid="portfolio-scope">
            {entities.length === 1 ? "1 entity" : `All ${entities.length} entities`} ·{" "}
            {periodLabel(oldest)} – {periodLabel(through)} (accounting periods in UTC)
          </p>
        </div>
        <div className="form-row no-print">
          <LiveRefresh intervalMs={REFRESH_MS} renderedAt={portfolio.generatedAt} />
        </div>
      </div>

      <PortfolioPicker
        periods={choices.map((p) => ({ key: p.key, label: periodLabel(p) }))}
        through={through.key}
      />

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
