import type { Db } from "@/db/client";
import type { CloseScope } from "@/db/queries/close";
import { findAccountingPeriod } from "@/db/queries/close-periods";
import { loadTargets } from "@/lib/kpi/targets";
import type { CheckKey, CheckResult } from "./checks";
import { disputesCheck, invoicesCheck, reconciliationCheck } from "./invoice-checks";
import { queueLink } from "./links";
import { amendmentsCheck, approvalsCheck } from "./pending-work-checks";
import { periodLabel, type AccountingPeriodRange } from "./period";
import { usageCheck } from "./usage-check";

/*
 * Close readiness: may this entity's accounting period be closed? Six checks, each pass/fail
 * with a one-line reason and the named blockers; the verdict is GO only when all six pass.
 * Nothing here rounds money: amounts are integer minor units compared within their currency.
 */

/** Usage completeness the period must reach when no target is configured. */
export const DEFAULT_COMPLETENESS_TARGET = 0.995;

/**
 * The completeness target admins set for the overview's tile (/admin/settings), so the close
 * and the overview never disagree on what "complete" means; the default without one.
 */
export async function configuredCompletenessTarget(db: Db): Promise<number> {
  return (await loadTargets(db)).usageCompleteness?.ok ?? DEFAULT_COMPLETENESS_TARGET;
}

/** Blockers listed per check on the page and in the API; the CSV asks for more. */
export const DEFAULT_BLOCKER_LIMIT = 100;

export interface CloseReadiness {
  entity: string;
  period: { key: string; label: string; start: string; end: string };
  verdict: "go" | "no_go";
  closed: { closedAt: string; closedBy: string | null } | null;
  completenessTarget: number;
  generatedAt: string;
  checks: CheckResult[];
}

export interface ReadinessParams {
  entity: string;
  period: AccountingPeriodRange;
  /** Σ received / Σ expected must be at least this (0–1). */
  completenessTarget?: number;
  /** The most blockers listed per check (the count is always complete). */
  blockerLimit?: number;
  now?: Date;
}

export async function computeCloseReadiness(
  db: Db,
  params: ReadinessParams,
): Promise<CloseReadiness> {
  const target = params.completenessTarget ?? DEFAULT_COMPLETENESS_TARGET;
  if (!(target >= 0 && target <= 1)) throw new RangeError("completenessTarget must be in [0, 1]");
  const limit = params.blockerLimit ?? DEFAULT_BLOCKER_LIMIT;
  const scope: CloseScope = {
    entity: params.entity,
    start: params.period.start,
    end: params.period.end,
  };

  const [usage, invoices, reconciliation, disputes, approvals, amendments, periodState] =
    await Promise.all([
      usageCheck(db, scope, params.period, target, limit),
      invoicesCheck(db, scope, limit),
      reconciliationCheck(db, scope, limit),
      disputesCheck(db, scope, limit),
      approvalsCheck(db, scope.entity, limit),
      amendmentsCheck(db, scope, limit),
      findAccountingPeriod(db, scope),
    ]);
  const checks = [usage, invoices, reconciliation, disputes, approvals, amendments].map((check) => {
    const filter = QUEUE_FILTERS[check.key];
    return { ...check, queue: filter ? queueLink(scope.entity, filter) : null };
  });
  return {
    entity: params.entity,
    period: {
      key: params.period.key,
      label: periodLabel(params.period),
      start: params.period.start.toISOString(),
      end: params.period.end.toISOString(),
    },
    verdict: checks.every((c) => c.passed) ? "go" : "no_go",
    closed: periodState?.closedAt
      ? { closedAt: periodState.closedAt.toISOString(), closedBy: periodState.closedByEmail }
      : null,
    completenessTarget: target,
    generatedAt: (params.now ?? new Date()).toISOString(),
    checks,
  };
}

/** The queue view each check's blockers are worked in; usage gaps are looked into on /ingestion. */
const QUEUE_FILTERS: Record<CheckKey, { type: string } | { status: "awaiting_approval" } | null> = {
  usage_complete: null,
  invoices_posted: { type: "erp_posting_failed" },
  no_material_reconciliation_breaks: { type: "reconciliation_break" },
  no_material_open_disputes: { type: "invoice_disputed" },
  no_pending_approvals: { status: "awaiting_approval" },
  no_unresolved_retroactive_amendments: { type: "retroactive_amendment" },
};
