import { currencyDigits } from "@/lib/format";
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

/** A minor-unit amount as a plain decimal string in its currency's digits: 125050 USD → "1250.50". */
export function minorToDecimal(amountMinor: number, currency: string): string {
  const digits = currencyDigits(currency);
  const raw = BigInt(amountMinor);
  const abs = (raw < 0n ? -raw : raw).toString().padStart(digits + 1, "0");
  const whole = abs.slice(0, abs.length - digits);
  return `${raw < 0n ? "-" : ""}${whole}${digits > 0 ? `.${abs.slice(abs.length - digits)}` : ""}`;
}

/**
 * Quotes a cell per RFC 4180. Text that a spreadsheet would run as a formula (=, +, -, @, tab,
 * CR first) is prefixed with an apostrophe: labels and error messages come from telemetry.
 */
function textCell(value: string | null | undefined): string {
  let text = value ?? "";
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function readinessCsv(report: CloseReadiness, origin: string): string {
  const closeUrl = `${origin}/close?${new URLSearchParams({ entity: report.entity, period: report.period.key })}`;
  const absolute = (href: string) =>
    href.startsWith("#") ? `${closeUrl}${href}` : `${origin}${href}`;
  const lines: string[] = [CSV_COLUMNS.join(",")];
  for (const check of report.checks) {
    const head = [
      textCell(report.entity),
      report.period.key,
      report.verdict === "go" ? "GO" : "NO-GO",
      check.key,
      textCell(check.title),
      check.passed ? "pass" : "fail",
      textCell(check.explanation),
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
          textCell(b.ref),
          textCell(b.label),
          textCell(b.detail),
          money ? String(b.amountMinor) : "",
          money ? minorToDecimal(b.amountMinor!, b.currency!) : "",
          b.currency ?? "",
          textCell(absolute(b.link.href)),
        ].join(","),
      );
    }
  }
  return `${lines.join("\r\n")}\r\n`;
}
