import type { Db } from "@/db/client";
import type { CloseScope } from "@/db/queries/close";
import { pendingApprovals, unresolvedRetroactiveAmendments } from "@/db/queries/close-pending-work";
import { formatDateTime, formatMoney } from "@/lib/format";
import { checkResult, passedCheck, plural, type CheckResult } from "./checks";
import { checkAnchor, exceptionLink } from "./links";

/*
 * Checks (e) and (f), on decisions still open: nothing waiting for an approver, and no
 * contract amendment reaching back into the period without a resolution.
 */

// (e) ------------------------------------------------------------------------------------------

export async function approvalsCheck(db: Db, entity: string, limit: number): Promise<CheckResult> {
  const key = "no_pending_approvals";
  const pending = await pendingApprovals(db, entity);
  if (pending.length === 0) {
    return passedCheck(key, "Nothing of this entity is waiting for an approver.");
  }
  const corrections = pending.filter((p) => p.source === "correction").length;
  const exceptions = pending.length - corrections;
  const parts = [
    corrections ? plural(corrections, "correction") : null,
    exceptions ? plural(exceptions, "exception") : null,
  ].filter(Boolean);
  return checkResult(
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

export async function amendmentsCheck(
  db: Db,
  scope: CloseScope,
  limit: number,
): Promise<CheckResult> {
  const key = "no_unresolved_retroactive_amendments";
  const amendments = await unresolvedRetroactiveAmendments(db, scope);
  if (amendments.length === 0) {
    return passedCheck(key, "No amendment made after the period changes it without a resolution.");
  }
  return checkResult(
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
