import type { Db } from "@/db/client";
import { listEntities } from "@/db/queries/entities";
import { EACH_ENTITY, type AlertCondition } from "@/lib/contract/alert-rules";
import { closeDeadline, deadlineRuleFor, loadCloseDeadlines } from "@/lib/close/deadline";
import { periodContaining, shiftPeriod, type AccountingPeriodRange } from "@/lib/close/period";
import { computeCloseReadiness, configuredCompletenessTarget } from "@/lib/close/readiness";
import type { Measurement } from "./measurement";

/*
 * The close condition: an entity-month that is NO-GO and not closed, `withinDays` or fewer
 * days before its close deadline (or past it). The months watched are the one `now` is in
 * and the one before, the month being closed for most of the calendar; an older month's
 * alert resolves when it leaves them. Readiness is computed only for months inside their
 * window, so for most of the month a close rule costs one settings read.
 *
 * The value is the days left until the deadline (negative once it has passed), the
 * threshold `withinDays`.
 */

const DAY_MS = 86_400_000;

type CloseCondition = Extract<AlertCondition, { kind: "close" }>;

export async function measureClose(
  db: Db,
  condition: CloseCondition,
  entity: string | null,
  now: Date,
): Promise<Measurement[]> {
  const entities = entity === null || entity === EACH_ENTITY ? await listEntities(db) : [entity];
  const deadlines = await loadCloseDeadlines(db);
  const current = periodContaining(now);
  const periods = [shiftPeriod(current, -1), current];
  const due: { entity: string; period: AccountingPeriodRange; daysLeft: number }[] = [];
  for (const name of entities) {
    for (const period of periods) {
      const deadline = closeDeadline(period, deadlineRuleFor(deadlines, name));
      const daysLeft = (deadline.getTime() - now.getTime()) / DAY_MS;
      if (daysLeft <= condition.withinDays) due.push({ entity: name, period, daysLeft });
    }
  }
  if (due.length === 0) return [];
  const completenessTarget = await configuredCompletenessTarget(db);
  const measured: Measurement[] = [];
  for (const cell of due) {
    const readiness = await computeCloseReadiness(db, {
      entity: cell.entity,
      period: cell.period,
      completenessTarget,
      blockerLimit: 1,
      now,
    });
    measured.push({
      dimension: `${cell.entity} ${cell.period.key}`,
      // Whole days, rounded down: "2 days left" until 48 h remain.
      value: Math.floor(cell.daysLeft),
      threshold: condition.withinDays,
      breaching: readiness.verdict === "no_go" && readiness.closed === null,
    });
  }
  return measured;
}
