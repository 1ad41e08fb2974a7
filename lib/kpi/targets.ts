import { z } from "zod";
import type { Db } from "@/db/client";
import type { AuditActor, RequestMeta } from "@/lib/audit";
import { InvalidInput } from "@/lib/errors";
import { formatCount, formatDuration, formatPercent } from "@/lib/format";
import { parseInput } from "@/lib/parse-input";
import {
  readSettingsDocument,
  replaceSettingsDocument,
  type SettingsDocument,
} from "@/lib/settings-document";

/*
 * The targets the overview colours its tiles against, stored as one JSON document under
 * SETTINGS_KEY and edited by admins on /admin/settings. Each metric has a fixed direction
 * (more completeness is better, less latency is better) and a threshold that is either unset
 * (no target: the tile shows no colour) or { ok, warn }: a value meeting `ok` is on target,
 * one that misses it but meets `warn` is a warning, anything else is off target. A null
 * `warn` means there is no warning band: missing `ok` is off target straight away.
 *
 * A value of null (nothing to measure in the range) is "no data", whatever the target: an
 * empty period must never look like a good one.
 */

export const SETTINGS_KEY = "kpi.targets";

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

export type TargetDirection = "atLeast" | "atMost";
/** How the value is measured: a ratio in [0, 1], a duration in ms, or a count. */
export type TargetUnit = "ratio" | "duration" | "count";
/** How an admin types it: percent for ratios, hours or minutes for durations. */
export type TargetInputUnit = "percent" | "hours" | "minutes" | "count";

interface TargetMetricSpec {
  label: string;
  direction: TargetDirection;
  unit: TargetUnit;
  inputUnit: TargetInputUnit;
}

export const TARGET_METRICS = {
  usageCompleteness: {
    label: "Usage completeness",
    direction: "atLeast",
    unit: "ratio",
    inputUnit: "percent",
  },
  eventLagP95: {
    label: "Event lag p95",
    direction: "atMost",
    unit: "duration",
    inputUnit: "minutes",
  },
  invoiceLatencyP95: {
    label: "Invoice latency p95",
    direction: "atMost",
    unit: "duration",
    inputUnit: "hours",
  },
  erpFirstPassRate: {
    label: "ERP first-pass success",
    direction: "atLeast",
    unit: "ratio",
    inputUnit: "percent",
  },
  erpEventualSuccessRate: {
    label: "ERP eventual success",
    direction: "atLeast",
    unit: "ratio",
    inputUnit: "percent",
  },
  erpOpenFailures: {
    label: "ERP open failures",
    direction: "atMost",
    unit: "count",
    inputUnit: "count",
  },
  reconciliationBreaks: {
    label: "Reconciliation breaks",
    direction: "atMost",
    unit: "count",
    inputUnit: "count",
  },
  entitlementSyncP95: {
    label: "Payment-to-entitlement p95",
    direction: "atMost",
    unit: "duration",
    inputUnit: "minutes",
  },
  entitlementOverdue: {
    label: "Overdue entitlement updates",
    direction: "atMost",
    unit: "count",
    inputUnit: "count",
  },
  openExceptions: {
    label: "Open exceptions",
    direction: "atMost",
    unit: "count",
    inputUnit: "count",
  },
  manualInterventions: {
    label: "Manual interventions",
    direction: "atMost",
    unit: "count",
    inputUnit: "count",
  },
} as const satisfies Record<string, TargetMetricSpec>;

export type TargetMetric = keyof typeof TARGET_METRICS;
export const TARGET_METRIC_NAMES = Object.keys(TARGET_METRICS) as TargetMetric[];

export interface Threshold {
  ok: number;
  warn: number | null;
}

export type KpiTargets = Record<TargetMetric, Threshold | null>;

/**
 * The default targets (completeness ≥ 99.5%, first-pass posting ≥ 98%, invoice latency p95
 * ≤ 24 h, entitlement sync p95 ≤ 15 min, breaks = 0). The warning bands are our own starting
 * point, not from the issue; admins tune them. The other metrics start without a target.
 */
export const DEFAULT_TARGETS: KpiTargets = {
  usageCompleteness: { ok: 0.995, warn: 0.98 },
  eventLagP95: null,
  invoiceLatencyP95: { ok: 24 * HOUR_MS, warn: 48 * HOUR_MS },
  erpFirstPassRate: { ok: 0.98, warn: 0.95 },
  erpEventualSuccessRate: null,
  erpOpenFailures: null,
  reconciliationBreaks: { ok: 0, warn: null },
  entitlementSyncP95: { ok: 15 * MINUTE_MS, warn: 60 * MINUTE_MS },
  entitlementOverdue: null,
  openExceptions: null,
  manualInterventions: null,
};

function thresholdSchema(metric: TargetMetric) {
  const { direction, unit } = TARGET_METRICS[metric];
  const value =
    unit === "ratio"
      ? z.number().min(0, "must be at least 0%").max(1, "must be at most 100%")
      : unit === "count"
        ? z.number().int("must be a whole number").min(0, "must not be negative")
        : z
            .number()
            .min(0, "must not be negative")
            .max(366 * 24 * HOUR_MS, "must be at most a year");
  return z
    .object({ ok: value, warn: value.nullable() })
    .refine((t) => t.warn === null || (direction === "atLeast" ? t.warn <= t.ok : t.warn >= t.ok), {
      message:
        direction === "atLeast"
          ? "the warning level must not be above the target"
          : "the warning level must not be below the target",
      path: ["warn"],
    })
    .nullable();
}

/** Every metric, each unset (null) or a valid threshold: what an admin saves. */
export const KpiTargetsSchema = z.object(
  Object.fromEntries(TARGET_METRIC_NAMES.map((m) => [m, thresholdSchema(m)])) as {
    [M in TargetMetric]: ReturnType<typeof thresholdSchema>;
  },
);

/**
 * What is stored, read leniently: a metric missing from the row (added after it was saved)
 * or no longer valid takes its default, without discarding the admin's other choices.
 */
export function parseStoredTargets(stored: unknown): KpiTargets {
  const targets: KpiTargets = { ...DEFAULT_TARGETS };
  if (!stored || typeof stored !== "object") return targets;
  for (const metric of TARGET_METRIC_NAMES) {
    if (!(metric in stored)) continue;
    const parsed = thresholdSchema(metric).safeParse((stored as Record<string, unknown>)[metric]);
    if (parsed.success) targets[metric] = parsed.data;
    else
      console.warn(
        `Ignoring the stored ${SETTINGS_KEY}.${metric}, which is invalid; using the default`,
      );
  }
  return targets;
}

const TARGETS_DOCUMENT: SettingsDocument<KpiTargets> = {
  key: SETTINGS_KEY,
  fallback: DEFAULT_TARGETS,
  read: parseStoredTargets,
  store: (targets) => targets,
};

export async function loadTargets(db: Db): Promise<KpiTargets> {
  return readSettingsDocument(db, TARGETS_DOCUMENT);
}

/** Replaces all targets, audited in the same transaction (the before and after documents). */
export async function saveTargets(
  db: Db,
  input: unknown,
  actor: AuditActor,
  meta?: RequestMeta,
): Promise<KpiTargets> {
  const after = parseInput(KpiTargetsSchema, input, { label: labelOfPath }) as KpiTargets;
  return replaceSettingsDocument(db, TARGETS_DOCUMENT, after, { actor, meta });
}

function labelOfPath(path: readonly PropertyKey[]): string {
  const metric = path[0] as TargetMetric | undefined;
  const label = metric && metric in TARGET_METRICS ? TARGET_METRICS[metric].label : String(metric);
  return path[1] === "warn" ? `${label} (warning level)` : label;
}

// ── Status ──────────────────────────────────────────────────────────────────────────────

/** `no-target`: no threshold is set; `no-data`: nothing to measure, never shown as on target. */
export type KpiStatus = "ok" | "warn" | "bad" | "no-data" | "no-target";

export function statusOf(
  metric: TargetMetric,
  value: number | null | undefined,
  targets: KpiTargets,
): KpiStatus {
  if (value === null || value === undefined || Number.isNaN(value)) return "no-data";
  const threshold = targets[metric];
  if (!threshold) return "no-target";
  const meets = (level: number) =>
    TARGET_METRICS[metric].direction === "atLeast" ? value >= level : value <= level;
  if (meets(threshold.ok)) return "ok";
  if (threshold.warn !== null && meets(threshold.warn)) return "warn";
  return "bad";
}

/**
 * One status for a tile that shows several metrics: the worst of them. "No data" outranks
 * "ok", so a tile is green only when everything it has a target for was measured and met.
 */
const SEVERITY: Record<KpiStatus, number> = {
  "no-target": 0,
  ok: 1,
  "no-data": 2,
  warn: 3,
  bad: 4,
};

export function worstStatus(statuses: readonly KpiStatus[]): KpiStatus {
  return statuses.reduce<KpiStatus>(
    (worst, s) => (SEVERITY[s] > SEVERITY[worst] ? s : worst),
    "no-target",
  );
}

// ── Display and input ───────────────────────────────────────────────────────────────────

export function formatTargetValue(metric: TargetMetric, value: number): string {
  switch (TARGET_METRICS[metric].unit) {
    case "ratio":
      return formatPercent(value, percentDigits(value));
    case "duration":
      return formatDuration(value);
    case "count":
      return formatCount(value);
  }
}

/** As few decimals as show the ratio exactly (99.5%, 99.25%), at least one and at most three. */
function percentDigits(ratio: number): number {
  const exact = Number((ratio * 100).toFixed(6));
  for (const digits of [1, 2]) if (Number(exact.toFixed(digits)) === exact) return digits;
  return 3;
}

/** "target ≥ 99.5%, warning ≥ 98.0%" — the rule a tile's colour was decided by. */
export function describeTarget(metric: TargetMetric, targets: KpiTargets): string {
  const threshold = targets[metric];
  if (!threshold) return "no target set";
  const sign = TARGET_METRICS[metric].direction === "atLeast" ? "≥" : "≤";
  const ok = `target ${sign} ${formatTargetValue(metric, threshold.ok)}`;
  return threshold.warn === null
    ? ok
    : `${ok}, warning ${sign} ${formatTargetValue(metric, threshold.warn)}`;
}

const INPUT_FACTOR: Record<TargetInputUnit, number> = {
  percent: 100,
  hours: HOUR_MS,
  minutes: MINUTE_MS,
  count: 1,
};

/** A stored value in the unit the admin types (0.995 → 99.5 percent, 86 400 000 ms → 24 hours). */
export function toInputValue(metric: TargetMetric, value: number): number {
  const unit = TARGET_METRICS[metric].inputUnit;
  // Rounded so that 0.995 shows as 99.5 and not 99.49999999999999.
  return Number((unit === "percent" ? value * 100 : value / INPUT_FACTOR[unit]).toFixed(6));
}

export function fromInputValue(metric: TargetMetric, typed: number): number {
  const unit = TARGET_METRICS[metric].inputUnit;
  // Divide for percent (99.5 / 100 is exactly 0.995; 99.5 * 0.01 is not).
  return unit === "percent" ? typed / 100 : Math.round(typed * INPUT_FACTOR[unit]);
}

export const INPUT_UNIT_LABEL: Record<TargetInputUnit, string> = {
  percent: "%",
  hours: "hours",
  minutes: "minutes",
  count: "",
};

/** One row of the settings form: a metric's threshold in the unit an admin types, as text. */
export interface TargetFormRow {
  metric: TargetMetric;
  label: string;
  sign: "≥" | "≤";
  unit: string;
  ok: string;
  warn: string;
  /** The built-in default, for the "default: …" hint. */
  defaultRule: string;
}

export function targetFormRows(targets: KpiTargets): TargetFormRow[] {
  return TARGET_METRIC_NAMES.map((metric) => {
    const spec = TARGET_METRICS[metric];
    const threshold = targets[metric];
    return {
      metric,
      label: spec.label,
      sign: spec.direction === "atLeast" ? "≥" : "≤",
      unit: INPUT_UNIT_LABEL[spec.inputUnit],
      ok: threshold ? String(toInputValue(metric, threshold.ok)) : "",
      warn: threshold?.warn != null ? String(toInputValue(metric, threshold.warn)) : "",
      defaultRule: describeTarget(metric, DEFAULT_TARGETS),
    };
  });
}

/**
 * The settings form's fields (`<metric>.ok`, `<metric>.warn`, in input units) as targets. An
 * empty target means "no target"; a warning level without a target is refused, as is text
 * that is not a number. Range and order are checked by KpiTargetsSchema when saving.
 */
export function targetsFromForm(get: (field: string) => string | null): KpiTargets {
  const problems: string[] = [];
  const targets = { ...DEFAULT_TARGETS };
  for (const metric of TARGET_METRIC_NAMES) {
    const label = TARGET_METRICS[metric].label;
    const read = (field: "ok" | "warn") => {
      const text = (get(`${metric}.${field}`) ?? "").trim().replace(",", ".");
      if (text === "") return null;
      const typed = Number(text);
      if (!Number.isFinite(typed)) {
        problems.push(
          `${label}${field === "warn" ? " (warning level)" : ""}: "${text}" is not a number`,
        );
        return null;
      }
      return fromInputValue(metric, typed);
    };
    const ok = read("ok");
    const warn = read("warn");
    if (ok === null && warn !== null) problems.push(`${label}: a warning level needs a target`);
    targets[metric] = ok === null ? null : { ok, warn };
  }
  if (problems.length > 0) throw new InvalidInput(problems.join("; "), problems);
  return targets;
}
