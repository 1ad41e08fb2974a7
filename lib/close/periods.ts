import { z } from "zod";
import type { Db } from "@/db/client";
import { lockClosedPeriod, markPeriodClosed, markPeriodReopened } from "@/db/queries/close-periods";
import { writeAudit, type AuditActor, type RequestMeta } from "@/lib/audit";
import { EntityCode } from "@/lib/contract";
import { Conflict, InvalidInput } from "@/lib/errors";
import { periodFromKey } from "./period";
import {
  computeCloseReadiness,
  configuredCompletenessTarget,
  type ReadinessParams,
} from "./readiness";
import { parseInput } from "@/lib/parse-input";

/*
 * Marking an accounting period closed and reopening it. Both are finance decisions that the
 * audit log must be able to replay: who, when, with what verdict on the screen, and why.
 */

const Reason = z.string().trim().max(1000).optional();

export const ClosePeriodInput = z.object({
  entity: EntityCode,
  period: z.string(),
  /** Required when the period is NO-GO: closing over blockers is a decision that needs a why. */
  reason: Reason,
});
export type ClosePeriodInput = z.input<typeof ClosePeriodInput>;

export const ReopenPeriodInput = z.object({
  entity: EntityCode,
  period: z.string(),
  reason: z.string().trim().min(1, "Say why the period is reopened").max(1000),
});
export type ReopenPeriodInput = z.input<typeof ReopenPeriodInput>;

export interface PeriodCloser {
  /** The user who closes: accounting_periods.closed_by. */
  userId: string;
  actor: AuditActor;
  meta?: RequestMeta;
}

const target = (entity: string, periodKey: string) => ({
  type: "accounting_period",
  id: `${entity}/${periodKey}`,
});

export async function closePeriod(
  db: Db,
  input: ClosePeriodInput,
  by: PeriodCloser,
  options: Pick<ReadinessParams, "completenessTarget"> = {},
) {
  const data = parseInput(ClosePeriodInput, input);
  const period = periodFromKey(data.period);
  return db.transaction(async (tx) => {
    // The verdict is taken inside the transaction so the audit entry records what was true
    // when the period was closed, not what the page showed a minute earlier.
    const readiness = await computeCloseReadiness(tx, {
      entity: data.entity,
      period,
      completenessTarget: options.completenessTarget ?? (await configuredCompletenessTarget(tx)),
    });
    const failing = readiness.checks.filter((c) => !c.passed);
    if (failing.length > 0 && !data.reason) {
      throw new InvalidInput("The period is NO-GO: give a reason to close it over its blockers");
    }
    const row = await markPeriodClosed(
      tx,
      { entity: data.entity, start: period.start, end: period.end },
      by.userId,
    );
    if (!row) throw new Conflict(`${data.entity} ${period.key} is already closed`);
    await writeAudit(tx, {
      actor: by.actor,
      action: "close.period_closed",
      target: target(data.entity, period.key),
      before: { entity: data.entity, period: period.key, closedAt: null },
      after: {
        entity: data.entity,
        period: period.key,
        closedAt: row.closedAt,
        verdict: readiness.verdict,
        failingChecks: failing.map((c) => ({ check: c.key, blockers: c.blockerCount })),
        reason: data.reason ?? null,
      },
      meta: by.meta,
    });
    return { period: row, verdict: readiness.verdict };
  });
}

export async function reopenPeriod(db: Db, input: ReopenPeriodInput, by: PeriodCloser) {
  const data = parseInput(ReopenPeriodInput, input);
  const period = periodFromKey(data.period);
  return db.transaction(async (tx) => {
    // Locks the row so two reopenings cannot both record the same "before".
    const before = await lockClosedPeriod(tx, { entity: data.entity, start: period.start });
    if (!before) throw new Conflict(`${data.entity} ${period.key} is not closed`);
    const row = await markPeriodReopened(tx, before.id);
    await writeAudit(tx, {
      actor: by.actor,
      action: "close.period_reopened",
      target: target(data.entity, period.key),
      before: {
        entity: data.entity,
        period: period.key,
        closedAt: before.closedAt,
        closedBy: before.closedBy,
      },
      after: { entity: data.entity, period: period.key, closedAt: null, reason: data.reason },
      meta: by.meta,
    });
    return { period: row };
  });
}
