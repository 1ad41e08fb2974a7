import { csvCell } from "@/lib/csv-cell";
import { decimalAmount } from "@/lib/format";
import type { CloseReadiness } from "./readiness";

/*
 * The checklist as a CSV file for the close binder: one row per blocker, and one row for a check
 * that has none, so every check appears with its verdict. Money is given both as integer minor
 * units (exact, for systems) and as a decimal amount (for people and spreadsheets).
 */

export const CSV_COLUMNS = [
  "entity",
  "period",
  "verdict",
  "check",
  "check_title",
  "check_passed",
  "check_explanation",
  "check_blockers",
  "blocker_kind",
  "blocker_ref",
  "blocker",
  "blocker_detail",
  "amount_minor",
  "amount",
  "currency",
  "link",
] as const;

export function readinessCsv(report: CloseReadiness, origin: string): string {
  const closeUrl = `${origin}/close?${new URLSearchParams({ entity: report.entity, period: report.period.key })}`;
  const absolute = (href: string) =>
    href.startsWith("#") ? `${closeUrl}${href}` : `${origin}${href}`;
  const lines: string[] = [CSV_COLUMNS.join(",")];
  for (const check of report.checks) {
    const head = [
      csvCell(report.entity),
      report.period.key,
      report.verdict === "go" ? "GO" : "NO-GO",
      check.key,
      csvCell(check.title),
      check.passed ? "pass" : "fail",
      csvCell(check.explanation),
      String(check.blockerCount),
    ];
    if (check.blockers.length === 0) {
      lines.push([...head, "", "", "", "", "", "", "", absolute(check.link.href)].join(","));
      continue;
    }
    for (const b of check.blockers) {
      const money = b.amountMinor !== null && b.currency !== null;
      lines.push(
        [
          ...head,
          b.kind,
          csvCell(b.ref),
          csvCell(b.label),
          csvCell(b.detail),
          money ? String(b.amountMinor) : "",
          money ? decimalAmount(b.amountMinor!, b.currency!) : "",
          b.currency ?? "",
          csvCell(absolute(b.link.href)),
        ].join(","),
      );
    }
  }
  return `${lines.join("\r\n")}\r\n`;
}
