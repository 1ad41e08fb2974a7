import { formatDateTime, formatDuration, formatMoney } from "@/lib/format";

/*
 * Stored records in words, for the places that show a record's fields to people (the audit
 * log, a raw event): "Amount: 570.79 USD", not "amountMinor 57079". Field names follow the
 * code's conventions, so the conventions drive the wording:
 *   - `…Minor` is an amount in minor units of the record's `currency`,
 *   - `…Ms` is a duration in milliseconds,
 *   - an ISO-8601 string is an instant, shown in the reader's zone,
 *   - snake_case values are vocabulary ("awaiting_approval" → "awaiting approval").
 */

type Data = Record<string, unknown>;

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const VOCABULARY = /^[a-z]+(_[a-z]+)+$/;

/** Words that should keep their capitals when a camelCase key is split. */
const ACRONYMS: Record<string, string> = {
  id: "ID",
  ids: "IDs",
  ip: "IP",
  url: "URL",
  erp: "ERP",
  api: "API",
  sla: "SLA",
  p95: "p95",
  p50: "p50",
};

/** "amountMinor" → "Amount", "thresholdMinor" → "Threshold", "ownerEmail" → "Owner email". */
export function fieldLabel(key: string): string {
  const base = key.replace(/(Minor|Ms)$/, "") || key;
  const words = base
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replaceAll("_", " ")
    .toLowerCase()
    .split(" ")
    .filter(Boolean);
  return words
    .map((w, i) => ACRONYMS[w] ?? (i === 0 ? w.charAt(0).toUpperCase() + w.slice(1) : w))
    .join(" ");
}

export interface ValueContext {
  /** The currency of the record the value belongs to, for `…Minor` amounts. */
  currency?: unknown;
  timeZone: string;
}

/** One field's value in words, using the field's name to know what the number means. */
export function formatFieldValue(key: string, value: unknown, ctx: ValueContext): string {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (key.endsWith("Minor") && typeof ctx.currency === "string" && isInteger(value)) {
    return formatMoney(value as number | string, ctx.currency);
  }
  if (key.endsWith("Ms") && typeof value === "number") return formatDuration(value);
  if (typeof value === "number") return value.toLocaleString("en-US");
  if (typeof value === "string") {
    if (ISO_INSTANT.test(value)) return formatDateTime(value, ctx.timeZone);
    if (VOCABULARY.test(value)) return value.replaceAll("_", " ");
    return value;
  }
  if (Array.isArray(value)) {
    return value.length === 0 ? "none" : value.map((v) => formatFieldValue(key, v, ctx)).join(", ");
  }
  return JSON.stringify(value);
}

function isInteger(value: unknown): boolean {
  return (
    (typeof value === "number" && Number.isInteger(value)) ||
    (typeof value === "string" && /^-?\d+$/.test(value))
  );
}

export function isRecord(value: unknown): value is Data {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A nested record as flat "a.b" keys, so a changed setting deep inside a settings object
 * shows as its own line; the currency of each level applies to its amounts.
 */
export function flatten(record: Data, prefix = "", currency?: unknown): Map<string, FlatValue> {
  const out = new Map<string, FlatValue>();
  const own = typeof record.currency === "string" ? record.currency : currency;
  for (const [key, value] of Object.entries(record)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isRecord(value)) {
      for (const [k, v] of flatten(value, path, own)) out.set(k, v);
    } else {
      out.set(path, { key, value, currency: own });
    }
  }
  return out;
}

export interface FlatValue {
  /** The last segment of the path: what decides how the value reads. */
  key: string;
  value: unknown;
  currency: unknown;
}

/** "targets.eventLag.p95Ms" → "Targets › Event lag › p95". */
export function pathLabel(path: string): string {
  return path.split(".").map(fieldLabel).join(" › ");
}
