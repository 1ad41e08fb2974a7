import type { Db } from "@/db/client";
import { findAccountingPeriod, type CloseScope } from "@/db/queries/close";
import {
  invoicesIssuedCount,
  materialReconciliationBreaks,
  openDisputes,
  reconciliationCounts,
  unpostedInvoices,
} from "@/db/queries/close-invoices";
import { pendingApprovals, unresolvedRetroactiveAmendments } from "@/db/queries/close-pending-work";
import {
  usageShortfallsBySourceMeter,
  usageTotals,
  worstUsageWindows,
} from "@/db/queries/close-usage";
import { formatCount, formatDateTime, formatMoney, formatPercent } from "@/lib/format";
import { loadTargets } from "@/lib/kpi/targets";
import { checkAnchor, exceptionLink, ingestionLink, queueLink, type BlockerLink } from "./links";
import { periodLabel, type AccountingPeriodRange } from "./period";

/*
 * Close readiness: may this entity's accounting period be closed? Six checks, each pass/fail
 * with a one-line reason and the named blockers; the verdict is GO only when all six pass.
 * Nothing here rounds money: amounts are integer minor units compared within their currency.
 */

/** Usage completeness the period must reach when no target is configured (issue 4's default). */
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
/** How many of the worst usage windows to name when usage is incomplete. */
const WORST_WINDOWS = 10;
/** The ref of the usage blocker that stands for "no checkpoints at all in the period". */
export const NO_CHECKPOINTS_REF = "(no checkpoints)";

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

const title = (key: CheckKey) => CHECKS.find((c) => c.key === key)!.title;
const plural = (count: number, one: string, many = `${one}s`) =>
  `${formatCount(count)} ${count === 1 ? one : many}`;

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
      findAccountingPeriod(db, scope.entity, scope.start),
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

function result(
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

// (a) ------------------------------------------------------------------------------------------

/** part / whole of two exact counts, to a hundred-millionth: enough for a percentage shown to 0.01. */
function share(part: bigint, whole: bigint): number {
  return whole === 0n ? 0 : Number((part * 100_000_000n) / whole) / 100_000_000;
}

async function usageCheck(
  db: Db,
  scope: CloseScope,
  period: AccountingPeriodRange,
  target: number,
  limit: number,
): Promise<CheckResult> {
  const key = "usage_complete";
  const totals = await usageTotals(db, scope);
  if (totals.expected === 0n) {
    // Nothing to measure is not "complete": a close must not pass on an absent feed.
    return result(
      key,
      false,
      "No usage checkpoints end in this period, so completeness cannot be confirmed.",
      1,
      [
        {
          kind: "usage_source_meter",
          ref: NO_CHECKPOINTS_REF,
          label: "No usage checkpoints for the period",
          detail: "Check that the usage sources are sending usage.checkpoint events.",
          amountMinor: null,
          currency: null,
          exceptionId: null,
          link: ingestionLink(scope.entity, period),
        },
      ],
    );
  }
  const targetPpm = Math.round(target * 1_000_000);
  // Integer comparison: received / expected >= target ⇔ received · 10⁶ >= expected · target·10⁶.
  const passed = totals.received * 1_000_000n >= totals.expected * BigInt(targetPpm);
  const measured = `${formatPercent(share(totals.received, totals.expected), 2)} of expected usage received (${formatCount(totals.received)} of ${formatCount(totals.expected)}); target ${formatPercent(target, 1)}`;
  if (passed) return result(key, true, `${measured}.`, 0, []);

  // The windows are always read up to WORST_WINDOWS, whatever the listing limit, so the
  // blocker count is the same on the checklist and on the portfolio (which lists nothing).
  const [pairs, worst] = await Promise.all([
    usageShortfallsBySourceMeter(db, scope, targetPpm, limit),
    worstUsageWindows(db, scope, WORST_WINDOWS),
  ]);
  const windows = worst.slice(0, limit);
  const link = ingestionLink(scope.entity, period);
  const blockers: Blocker[] = [
    ...pairs.rows.map((p) => ({
      kind: "usage_source_meter" as const,
      ref: `${p.source} / ${p.meter}`,
      label: `${p.meter} from ${p.source}`,
      detail: `${formatPercent(share(p.received, p.expected), 2)} complete: ${formatCount(p.missing)} of ${formatCount(p.expected)} events missing`,
      amountMinor: null,
      currency: null,
      exceptionId: null,
      link,
    })),
    ...windows.map((w) => ({
      kind: "usage_window" as const,
      ref: `${w.source} / ${w.meter} / ${w.windowStart}`,
      label: `${w.meter} from ${w.source}, window ${formatDateTime(w.windowStart)} – ${formatDateTime(w.windowEnd)}`,
      detail: `${formatCount(w.missing)} of ${formatCount(w.expected)} events missing`,
      amountMinor: null,
      currency: null,
      exceptionId: null,
      link,
    })),
  ];
  return result(
    key,
    false,
    `${measured}; ${plural(pairs.total, "source/meter pair")} below target.`,
    pairs.total + worst.length,
    blockers,
  );
}

// (b) ------------------------------------------------------------------------------------------

async function invoicesCheck(db: Db, scope: CloseScope, limit: number): Promise<CheckResult> {
  const key = "invoices_posted";
  const [issued, unposted] = await Promise.all([
    invoicesIssuedCount(db, scope),
    unpostedInvoices(db, scope, limit),
  ]);
  if (unposted.total === 0) {
    return result(
      key,
      true,
      issued === 0
        ? "No invoices were issued in this period."
        : `All ${plural(issued, "invoice")} issued in the period posted to the ERP.`,
      0,
      [],
    );
  }
  return result(
    key,
    false,
    `${formatCount(unposted.total)} of ${plural(issued, "invoice")} issued in the period ${unposted.total === 1 ? "has" : "have"} no successful ERP posting.`,
    unposted.total,
    unposted.rows.map((i) => {
      const last = i.lastAttempt;
      return {
        kind: "unposted_invoice",
        ref: i.invoiceId,
        label: `Invoice ${i.invoiceId} (${i.customerId}), issued ${formatDateTime(i.issuedAt)}`,
        detail: last
          ? `Latest attempt ${last.attempt} of posting ${last.postingId} failed ${formatDateTime(last.attemptedAt)}: ${[last.errorCode, last.errorMessage].filter(Boolean).join(" — ") || "no error given"}`
          : "Never sent to the ERP: no posting attempt received",
        amountMinor: i.amountMinor,
        currency: i.currency,
        exceptionId: i.exceptionId,
        link: i.exceptionId ? exceptionLink(i.exceptionId) : checkAnchor(key),
      };
    }),
  );
}

// (c) ------------------------------------------------------------------------------------------

async function reconciliationCheck(db: Db, scope: CloseScope, limit: number): Promise<CheckResult> {
  const key = "no_material_reconciliation_breaks";
  const [counts, breaks] = await Promise.all([
    reconciliationCounts(db, scope),
    materialReconciliationBreaks(db, scope, limit),
  ]);
  const immaterial = counts.breaks - counts.materialBreaks - counts.corrected;
  const ignored =
    (counts.corrected > 0
      ? `; ${plural(counts.corrected, "break")} cleared by a correction the target system confirmed`
      : "") + (immaterial > 0 ? `; ${plural(immaterial, "break")} at or below materiality` : "");
  if (counts.materialBreaks === 0) {
    return result(
      key,
      true,
      counts.results === 0
        ? "No reconciliation results for this period."
        : `No break above materiality in ${plural(counts.results, "reconciliation result")}${ignored}.`,
      0,
      [],
    );
  }
  return result(
    key,
    false,
    `${plural(counts.materialBreaks, "break")} above materiality in ${plural(counts.results, "reconciliation result")}${ignored}.`,
    counts.materialBreaks,
    breaks.map((b) => ({
      kind: "reconciliation_break",
      ref: `${b.runId} / ${b.key}`,
      label: `${b.kind.replaceAll("_", " ")}: ${b.key} in run ${b.runId}`,
      detail: `Expected ${formatMoney(b.expectedMinor, b.currency)}, actual ${formatMoney(b.actualMinor, b.currency)}: off by ${formatMoney(b.varianceMinor, b.currency)} (tolerance ${formatMoney(b.toleranceMinor, b.currency)}, materiality ${formatMoney(b.materialityMinor, b.currency)})`,
      amountMinor: b.varianceMinor,
      currency: b.currency,
      exceptionId: b.exceptionId,
      link: b.exceptionId ? exceptionLink(b.exceptionId) : checkAnchor(key),
    })),
  );
}

// (d) ------------------------------------------------------------------------------------------

async function disputesCheck(db: Db, scope: CloseScope, limit: number): Promise<CheckResult> {
  const key = "no_material_open_disputes";
  const { open } = await openDisputes(db, scope);
  const material = open.filter((d) => d.disputedMinor > d.materialityMinor);
  const immaterial = open.length - material.length;
  const ignored =
    immaterial > 0 ? `; ${plural(immaterial, "open dispute")} at or below materiality` : "";
  if (material.length === 0) {
    return result(
      key,
      true,
      open.length === 0
        ? "No open disputes on the period's invoices."
        : `No open dispute above materiality${ignored}.`,
      0,
      [],
    );
  }
  return result(
    key,
    false,
    `${plural(material.length, "open dispute")} above materiality on the period's invoices${ignored}.`,
    material.length,
    material
      .sort((a, b) => b.disputedMinor - a.disputedMinor || a.invoiceId.localeCompare(b.invoiceId))
      .slice(0, limit)
      .map((d) => ({
        kind: "open_dispute",
        ref: d.invoiceId,
        label: `Invoice ${d.invoiceId} (${d.customerId})${d.disputedAt ? `, disputed ${formatDateTime(d.disputedAt)}` : ""}`,
        detail: `${formatMoney(d.disputedMinor, d.currency)} disputed of ${formatMoney(d.invoiceAmountMinor, d.currency)} (materiality ${formatMoney(d.materialityMinor, d.currency)})${d.reason ? `: ${d.reason}` : ""}`,
        amountMinor: d.disputedMinor,
        currency: d.currency,
        exceptionId: d.exceptionId,
        link: d.exceptionId ? exceptionLink(d.exceptionId) : checkAnchor(key),
      })),
  );
}

// (e) ------------------------------------------------------------------------------------------

async function approvalsCheck(db: Db, entity: string, limit: number): Promise<CheckResult> {
  const key = "no_pending_approvals";
  const pending = await pendingApprovals(db, entity);
  if (pending.length === 0) {
    return result(key, true, "Nothing of this entity is waiting for an approver.", 0, []);
  }
  const corrections = pending.filter((p) => p.source === "correction").length;
  const exceptions = pending.length - corrections;
  const parts = [
    corrections ? plural(corrections, "correction") : null,
    exceptions ? plural(exceptions, "exception") : null,
  ].filter(Boolean);
  return result(
    key,
    false,
    `${parts.join(" and ")} of this entity ${pending.length === 1 ? "is" : "are"} waiting for an approver.`,
    pending.length,
    pending.slice(0, limit).map((p) => ({
      kind: "pending_approval",
      ref: p.id,
      label: p.title,
      detail: `${p.source === "correction" ? "Correction" : "Exception"} (${p.kind.replaceAll("_", " ")}) awaiting approval since ${formatDateTime(p.since)}${p.amountMinor !== null && p.currency ? `, ${formatMoney(p.amountMinor, p.currency)}` : ""}`,
      amountMinor: p.amountMinor,
      currency: p.currency,
      exceptionId: p.exceptionId,
      link: exceptionLink(p.exceptionId),
    })),
  );
}

// (f) ------------------------------------------------------------------------------------------

async function amendmentsCheck(db: Db, scope: CloseScope, limit: number): Promise<CheckResult> {
  const key = "no_unresolved_retroactive_amendments";
  const amendments = await unresolvedRetroactiveAmendments(db, scope);
  if (amendments.length === 0) {
    return result(
      key,
      true,
      "No amendment made after the period changes it without a resolution.",
      0,
      [],
    );
  }
  return result(
    key,
    false,
    `${plural(amendments.length, "contract amendment")} made after the period ended take${amendments.length === 1 ? "s" : ""} effect inside it and ${amendments.length === 1 ? "is" : "are"} not resolved.`,
    amendments.length,
    amendments.slice(0, limit).map((a) => ({
      kind: "retroactive_amendment",
      ref: a.contractId,
      label: `Contract ${a.contractId} (${a.customerId}), amended ${formatDateTime(a.amendedAt)}`,
      detail: `Effective from ${formatDateTime(a.effectiveFrom)}, impact ${formatMoney(a.amountImpactMinor, a.currency)}${a.exceptionStatus ? `; exception ${a.exceptionStatus.replaceAll("_", " ")}` : "; no exception raised yet"}`,
      amountMinor: a.amountImpactMinor,
      currency: a.currency,
      exceptionId: a.exceptionId,
      link: a.exceptionId ? exceptionLink(a.exceptionId) : checkAnchor(key),
    })),
  );
}
