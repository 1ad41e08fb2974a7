import type { CorrectionKind, ExceptionType } from "@/db/schema";
import type { DismissalCode, ResolutionCode } from "@/lib/exceptions/vocabulary";
import { rngFor, type Rng } from "./prng";
import { DAY, HOUR, MINUTE, startOfDay } from "./time";

/*
 * The demo company's operations team, as a plan per exception: who takes it, when they
 * start, and how and when they close it. Plans come from the seed and the exception's
 * problem key alone, so a replay of history and the live demo agree on them, and a test can
 * check the team's habits without a database.
 *
 * The team follows the sun: weekdays 07:00–24:00 UTC (London, then New York), weekends an
 * on-call analyst 10:00–18:00 UTC. An exception is taken within hours, worked within a day
 * or so, and closed inside the 72-hour SLA, except the few that wait on someone outside the
 * team (a closed accounting period, a customer who does not answer): those age past the
 * SLA for a week or two, as they do in real queues, before they are closed.
 */

export type OpsRole = "operations" | "finance";

/** What the plan needs to know of an exception. */
export interface ExceptionFacts {
  type: ExceptionType;
  problemKey: string;
  openedAt: number;
  /** The reconciliation kind of a break (payments_vs_ar, usage_vs_billing, billing_vs_erp). */
  reconciliationKind?: string | null;
}

export type Closing =
  | { action: "resolve"; code: ResolutionCode; note: string }
  | { action: "dismiss"; code: DismissalCode; note: string }
  /**
   * A correction proposed by operations and approved by finance (maker-checker). Only done
   * live: corrections are not replayed into history, so a replay closes with `instead`.
   */
  | {
      action: "correct";
      kind: CorrectionKind;
      targetSystem: string;
      reason: string;
      instead: { code: ResolutionCode; note: string };
    };

export interface OpsPlan {
  owner: OpsRole;
  /** When the owner takes the exception and starts on it. */
  startAt: number;
  /** For a failed posting: when the owner asks the ERP connector to retry (live only). */
  retryAt: number | null;
  /** When the owner closes it, if telemetry has not closed it first. */
  closeAt: number;
  closing: Closing;
  /** Who outside the team the exception waits on, keeping it open past the SLA; usually null. */
  waitsOn: string | null;
  /** When finance decides on a proposed correction, counted from its proposal. */
  approvalDelayMs: number;
}

/** The hours (UTC) someone is at work on a day: [opens, closes). */
function workingHours(day: number): [number, number] {
  const weekday = new Date(day).getUTCDay();
  return weekday === 0 || weekday === 6
    ? [day + 10 * HOUR, day + 18 * HOUR]
    : [day + 7 * HOUR, day + 24 * HOUR];
}

/** The first moment at or after `t` when someone is at work. */
export function atWork(t: number): number {
  for (let day = startOfDay(t); ; day += DAY) {
    const [opens, closes] = workingHours(day);
    if (t < closes) return Math.max(t, opens);
  }
}

/** `workMs` of working time after `from`: what is left at closing time carries over. */
export function afterWorking(from: number, workMs: number): number {
  let t = atWork(from);
  let left = workMs;
  for (;;) {
    const closes = workingHours(startOfDay(t))[1];
    if (t + left < closes) return t + left;
    left -= closes - t;
    t = atWork(closes);
  }
}

/** Share of exceptions of the types below that wait on someone outside the team. */
const WAITING_SHARE = 0.06;
const WAITS_ON: Partial<Record<ExceptionType, string>> = {
  erp_posting_failed: "the controller, to reopen the accounting period",
  invoice_disputed: "the customer's accounts payable team, to answer",
  reconciliation_break: "the bank, to send the remittance advice",
};

const minutes = (rng: Rng, min: number, max: number) => rng.int(min, max) * MINUTE;

function closingFor(rng: Rng, facts: ExceptionFacts): Closing {
  switch (facts.type) {
    case "erp_posting_failed":
      return {
        action: "resolve",
        code: "fixed_in_source",
        note: rng.pick([
          "Customer master data synced to the ERP subsidiary; invoice posted by hand.",
          "Tax code mapping added in the ERP; journal entry posted.",
          "Department dimension reactivated; posting re-run by hand.",
        ]),
      };
    case "usage_incomplete":
      return rng.chance(0.7)
        ? {
            action: "resolve",
            code: "accepted_variance",
            note: "Metering confirmed the records were lost in the incident and cannot be replayed; below materiality.",
          }
        : {
            action: "dismiss",
            code: "expected_behaviour",
            note: "Test traffic filtered out by metering on purpose; not billable.",
          };
    case "entitlement_out_of_sync":
      return {
        action: "resolve",
        code: "fixed_in_source",
        note: "Entitlement re-synced from the payment in the product admin console.",
      };
    case "reconciliation_break": {
      const kind = facts.reconciliationKind;
      const instead =
        kind === "payments_vs_ar"
          ? {
              code: "fixed_in_source" as const,
              note: "Remittance advice received; cash applied to the invoice in receivables.",
            }
          : kind === "usage_vs_billing"
            ? {
                code: "fixed_in_source" as const,
                note: "Late usage billed on a supplementary invoice; the next run matches.",
              }
            : {
                code: "fixed_in_source" as const,
                note: "Invoice posted to the ERP after the run; the next run matches.",
              };
      if (rng.chance(0.45)) {
        return {
          action: "correct",
          kind: kind === "usage_vs_billing" ? "rebill" : "journal_adjustment",
          targetSystem: kind === "usage_vs_billing" ? "billing" : "erp",
          reason:
            kind === "usage_vs_billing"
              ? "Bill the usage the invoice missed, as rated by metering."
              : "Adjust the ledger to the reconciled amount so the period can close.",
          instead,
        };
      }
      return { action: "resolve", ...instead };
    }
    case "invoice_disputed":
      return {
        action: "correct",
        kind: "credit_note",
        targetSystem: "billing",
        reason: "Credit the disputed amount: the customer's claim checks out against usage.",
        instead: {
          code: "customer_credited",
          note: "Credit note issued for the disputed amount.",
        },
      };
    case "retroactive_amendment":
      return {
        action: "resolve",
        code: "fixed_in_source",
        note: "Prior-period revenue restated in the ERP for the amendment.",
      };
    case "event_rejected":
      return {
        action: "resolve",
        code: "fixed_in_source",
        note: "Producer fixed the payload; the events were sent again.",
      };
  }
}

/** The team's plan for one exception: the same for the same seed and problem. */
export function planFor(seed: number, facts: ExceptionFacts): OpsPlan {
  const rng = rngFor(seed, "ops-team", facts.type, facts.problemKey);
  const closing = closingFor(rng, facts);
  const owner: OpsRole =
    facts.type === "invoice_disputed" || facts.type === "retroactive_amendment"
      ? "finance"
      : "operations";
  // Picked up within the morning's triage or the next round of it; finance looks less often.
  const startAt = afterWorking(
    facts.openedAt,
    owner === "operations" ? minutes(rng, 10, 150) : minutes(rng, 30, 300),
  );
  const workMs: Record<ExceptionType, [number, number]> = {
    erp_posting_failed: [2 * 60, 8 * 60],
    usage_incomplete: [60, 6 * 60],
    entitlement_out_of_sync: [15, 90],
    reconciliation_break: [3 * 60, 16 * 60],
    invoice_disputed: [6 * 60, 24 * 60],
    retroactive_amendment: [2 * 60, 8 * 60],
    event_rejected: [30, 4 * 60],
  };
  const [min, max] = workMs[facts.type];
  const waitsOn = rng.chance(WAITING_SHARE) ? (WAITS_ON[facts.type] ?? null) : null;
  const closeAt = waitsOn
    ? afterWorking(startAt, rng.int(5, 14) * DAY)
    : afterWorking(startAt, minutes(rng, min, max));
  const retryAt =
    facts.type === "erp_posting_failed" ? afterWorking(startAt, minutes(rng, 5, 40)) : null;
  return {
    owner,
    startAt,
    retryAt,
    closeAt,
    closing,
    waitsOn,
    approvalDelayMs: minutes(rng, 20, 180),
  };
}
