import type { Db } from "@/db/client";
import { checklistHref } from "./links";
import { periodLabel, shiftPeriod, type AccountingPeriodRange } from "./period";
import { CHECKS, type CheckKey, type CheckResult } from "./checks";
import { computeCloseReadiness } from "./readiness";
import { NO_CHECKPOINTS_REF } from "./usage-check";

/*
 * The close portfolio: every entity × the last six accounting periods, GO or NO-GO with the
 * number of blockers, answering "which entities can close, and what blocks the others?" on one
 * screen. Each cell is exactly the checklist's verdict (computeCloseReadiness, one evaluation per
 * cell), so the grid and the checklist a click away can never disagree.
 */

const NO_USAGE_DATA = "No usage data";

/** Six months: the quarter being closed and the one before, as finance usually looks back. */
export const PORTFOLIO_MONTHS = 6;

/**
 * Cells evaluated at once. Each runs about a dozen small queries; a few at a time keep the
 * connection pool free for other requests (PGlite runs them one by one anyway).
 */
const CONCURRENT_CELLS = 4;

export interface PortfolioCell {
  entity: string;
  periodKey: string;
  periodLabel: string;
  verdict: "go" | "no_go";
  /** Every blocker of every failing check: the sum of the checklist's counts. */
  blockerCount: number;
  /** The failing checks in checklist order, each with its own count. */
  failing: { key: CheckKey; short: string; blockerCount: number }[];
  closedAt: string | null;
  /**
   * Closeline received no usage telemetry for the month and found nothing else wrong: a month
   * before the entity's feeds were connected. Still NO-GO on its checklist (nothing proves
   * the usage complete), but shown as "no data" rather than as a failure to chase.
   */
  noData: boolean;
  /** The entity-month checklist. */
  href: string;
}

export interface ClosePortfolio {
  /** Newest first: the period being closed leads. */
  periods: { key: string; label: string }[];
  rows: { entity: string; cells: PortfolioCell[] }[];
  completenessTarget: number;
  generatedAt: string;
}

/** `through` and the months before it, newest first. */
export function portfolioPeriods(
  through: AccountingPeriodRange,
  months = PORTFOLIO_MONTHS,
): AccountingPeriodRange[] {
  return Array.from({ length: months }, (_, i) => shiftPeriod(through, -i));
}

export interface PortfolioParams {
  entities: readonly string[];
  periods: readonly AccountingPeriodRange[];
  completenessTarget: number;
  now?: Date;
}

export async function computeClosePortfolio(
  db: Db,
  params: PortfolioParams,
): Promise<ClosePortfolio> {
  const cells = params.entities.flatMap((entity) =>
    params.periods.map((period) => ({ entity, period })),
  );
  const results: PortfolioCell[] = [];
  for (let i = 0; i < cells.length; i += CONCURRENT_CELLS) {
    const batch = cells.slice(i, i + CONCURRENT_CELLS);
    results.push(...(await Promise.all(batch.map((c) => evaluateCell(db, c, params)))));
  }
  return {
    periods: params.periods.map((p) => ({ key: p.key, label: periodLabel(p) })),
    rows: params.entities.map((entity) => ({
      entity,
      cells: results.filter((c) => c.entity === entity),
    })),
    completenessTarget: params.completenessTarget,
    generatedAt: (params.now ?? new Date()).toISOString(),
  };
}

async function evaluateCell(
  db: Db,
  cell: { entity: string; period: AccountingPeriodRange },
  params: PortfolioParams,
): Promise<PortfolioCell> {
  // One blocker listed per check is the least the queries allow; the counts are always whole.
  const report = await computeCloseReadiness(db, {
    entity: cell.entity,
    period: cell.period,
    completenessTarget: params.completenessTarget,
    blockerLimit: 1,
    now: params.now,
  });
  const failing = report.checks
    .filter((c) => !c.passed)
    .map((c) => ({ key: c.key, short: shortName(c), blockerCount: c.blockerCount }));
  return {
    entity: cell.entity,
    periodKey: cell.period.key,
    periodLabel: report.period.label,
    verdict: report.verdict,
    blockerCount: failing.reduce((sum, c) => sum + c.blockerCount, 0),
    failing,
    closedAt: report.closed?.closedAt ?? null,
    noData: failing.length === 1 && failing[0]!.short === NO_USAGE_DATA,
    href: checklistHref(cell.entity, cell.period.key),
  };
}

/** A month with no usage telemetry at all says so: "incomplete" would suggest a partial feed. */
function shortName(check: CheckResult): string {
  if (check.key === "usage_complete" && check.blockers[0]?.ref === NO_CHECKPOINTS_REF) {
    return NO_USAGE_DATA;
  }
  return CHECKS.find((d) => d.key === check.key)!.short;
}
