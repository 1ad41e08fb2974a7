import type { Db } from "@/db/client";
import type { CloseScope } from "@/db/queries/close";
import {
  invoicesIssuedCount,
  materialReconciliationBreaks,
  openDisputes,
  reconciliationCounts,
  unpostedInvoices,
} from "@/db/queries/close-invoices";
import { formatCount, formatDateTime, formatMoney } from "@/lib/format";
import { checkResult, passedCheck, plural, type CheckResult } from "./checks";
import { checkAnchor, exceptionLink } from "./links";

/*
 * Checks (b) to (d), on the period's invoices: every one posted to the ERP, no reconciliation
 * break and no open dispute above materiality.
 */

// (b) ------------------------------------------------------------------------------------------

export async function invoicesCheck(
  db: Db,
  scope: CloseScope,
  limit: number,
): Promise<CheckResult> {
  const key = "invoices_posted";
  const [issued, unposted] = await Promise.all([
    invoicesIssuedCount(db, scope),
    unpostedInvoices(db, scope, limit),
  ]);
  if (unposted.total === 0) {
    return passedCheck(
      key,
      issued === 0
        ? "No invoices were issued in this period."
        : `All ${plural(issued, "invoice")} issued in the period posted to the ERP.`,
    );
  }
  return checkResult(
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

export async function reconciliationCheck(
  db: Db,
  scope: CloseScope,
  limit: number,
): Promise<CheckResult> {
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
    return passedCheck(
      key,
      counts.results === 0
        ? "No reconciliation results for this period."
        : `No break above materiality in ${plural(counts.results, "reconciliation result")}${ignored}.`,
    );
  }
  return checkResult(
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

export async function disputesCheck(
  db: Db,
  scope: CloseScope,
  limit: number,
): Promise<CheckResult> {
  const key = "no_material_open_disputes";
  const { open } = await openDisputes(db, scope);
  const material = open.filter((d) => d.disputedMinor > d.materialityMinor);
  const immaterial = open.length - material.length;
  const ignored =
    immaterial > 0 ? `; ${plural(immaterial, "open dispute")} at or below materiality` : "";
  if (material.length === 0) {
    return passedCheck(
      key,
      open.length === 0
        ? "No open disputes on the period's invoices."
        : `No open dispute above materiality${ignored}.`,
    );
  }
  return checkResult(
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
