import { formatCount, formatDateTime, formatMoney } from "@/lib/format";

/*
 * An exception's details document (the telemetry that raised it, db/queries/exception-sync.ts)
 * in words for the exception page: amounts in minor units become formatted money in the
 * exception's currency, instants become dates with their time zone, keys become labels. What
 * has no reading for a person (nested documents) is left to the technical details.
 */

const LABELS: Record<string, string> = {
  attempt: "Posting attempt",
  errorCode: "Error code",
  errorMessage: "Error message",
  attemptedAt: "Attempted",
  kind: "Kind of break",
  key: "Reconciled item",
  expectedMinor: "Expected",
  actualMinor: "Actual",
  toleranceMinor: "Tolerance",
  periodStart: "Period start",
  periodEnd: "Period end",
  reason: "Reason",
  disputedAmountMinor: "Amount disputed",
  disputes: "Disputes",
  effectiveFrom: "Effective from",
  amendedAt: "Amended",
  amountImpactMinor: "Amount impact",
  receivedAt: "Received",
  source: "Source",
  meter: "Meter",
  windowStart: "Window start",
  windowEnd: "Window end",
  expectedCount: "Events expected",
  receivedCount: "Events received",
  count: "Events rejected",
  lastEventId: "Last event id",
  lastSeenAt: "Last seen",
};

/** "lastSeenAt" → "Last seen at", for keys the list above does not know yet. */
function labelOf(key: string): string {
  if (LABELS[key]) return LABELS[key];
  const words = key
    .replace(/Minor$/, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replaceAll("_", " ")
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

export interface DetailFact {
  key: string;
  label: string;
  value: string;
  /** An identifier, shown as code with a copy button. */
  isId: boolean;
}

/** The readable facts of a details document, in its own order; nested values are skipped. */
export function readableDetails(
  details: Record<string, unknown>,
  currency: string | null,
): DetailFact[] {
  const facts: DetailFact[] = [];
  for (const [key, value] of Object.entries(details)) {
    if (value === null || value === undefined || value === "") continue;
    let text: string;
    if (
      key.endsWith("Minor") &&
      currency &&
      (typeof value === "number" || /^-?\d+$/.test(String(value)))
    ) {
      text = formatMoney(String(value), currency);
    } else if (typeof value === "string" && ISO_INSTANT.test(value)) {
      text = formatDateTime(value);
    } else if (typeof value === "number") {
      text = formatCount(value);
    } else if (typeof value === "string" || typeof value === "boolean") {
      text = String(value);
    } else {
      continue;
    }
    facts.push({ key, label: labelOf(key), value: text, isId: /Id$/.test(key) });
  }
  return facts;
}
