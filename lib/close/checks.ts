import { formatCount } from "@/lib/format";
import { checkAnchor, type BlockerLink } from "./links";

/*
 * The six checks a period must pass to close, and what each one answers: pass or fail, a
 * one-line reason and the named blockers.
 */

/** `short` names what blocks in a few words, for the portfolio's cells. */
export const CHECKS = [
  { key: "usage_complete", title: "Usage complete for the period", short: "Usage incomplete" },
  {
    key: "invoices_posted",
    title: "Every issued invoice posted to the ERP",
    short: "Invoices not posted",
  },
  {
    key: "no_material_reconciliation_breaks",
    title: "No reconciliation break above materiality",
    short: "Reconciliation breaks",
  },
  {
    key: "no_material_open_disputes",
    title: "No open dispute above materiality",
    short: "Open disputes",
  },
  { key: "no_pending_approvals", title: "No pending approvals", short: "Pending approvals" },
  {
    key: "no_unresolved_retroactive_amendments",
    title: "No unresolved retroactive amendment into the period",
    short: "Retroactive amendments",
  },
] as const;
export type CheckKey = (typeof CHECKS)[number]["key"];

export type BlockerKind =
  | "usage_source_meter"
  | "usage_window"
  | "unposted_invoice"
  | "reconciliation_break"
  | "open_dispute"
  | "pending_approval"
  | "retroactive_amendment";

export interface Blocker {
  kind: BlockerKind;
  /** What identifies it in its own system: an invoice id, "runId / key", an exception id… */
  ref: string;
  /** One line naming it. */
  label: string;
  /** One line saying why it blocks. */
  detail: string;
  amountMinor: number | null;
  currency: string | null;
  /** The exception it is worked in, when there is one (the queue's "blocks a close" filter). */
  exceptionId: string | null;
  link: BlockerLink;
}

export interface CheckResult {
  key: CheckKey;
  title: string;
  passed: boolean;
  /** One line: the measurement and why it passes or fails. */
  explanation: string;
  /** All blockers, even those beyond the listed ones. */
  blockerCount: number;
  blockers: Blocker[];
  /** The check's explanation on the close page. */
  link: BlockerLink;
  /** The exception queue filtered to this check's kind of problem, when there is one. */
  queue: BlockerLink | null;
}

const title = (key: CheckKey) => CHECKS.find((c) => c.key === key)!.title;
/** "1 invoice", "3 invoices": a count with its noun. */
export const plural = (count: number, one: string, many = `${one}s`) =>
  `${formatCount(count)} ${count === 1 ? one : many}`;

/** A check that passed: nothing of the period blocks the close on its account. */
export function passedCheck(key: CheckKey, explanation: string): CheckResult {
  return checkResult(key, true, explanation, 0, []);
}

/** A check's answer, linked to its explanation on the close page (the queue link is added later). */
export function checkResult(
  key: CheckKey,
  passed: boolean,
  explanation: string,
  blockerCount: number,
  blockers: Blocker[],
): CheckResult {
  return {
    key,
    title: title(key),
    passed,
    explanation,
    blockerCount,
    blockers,
    link: checkAnchor(key),
    queue: null,
  };
}
