import { z } from "zod";
// The plain list, not the schema module: the rule form imports this contract in the browser.
import { EXCEPTION_TYPES, SEVERITIES } from "@/db/schema/exception-vocabulary";
import { Duration, durationWithin } from "./duration";

/*
 * Alerting's rules: what an admin asks to be told about (a KPI figure, a silent source, the
 * exception queues, a close at risk), and the silences that hush a rule for a while. One
 * source for validation (API, forms) and for the types the domain uses. Where a notice goes
 * is ./alert-channels.ts; what it says, ./alert-notices.ts.
 */

export const ALERT_SEVERITIES = ["info", "warning", "critical"] as const;
export const AlertSeverity = z.enum(ALERT_SEVERITIES);
export type AlertSeverity = z.infer<typeof AlertSeverity>;

/**
 * The headline figures of `GET /api/v1/kpis` a rule may watch, by their path in that report.
 * Only numbers: a rule compares one figure with one threshold. The last two exist for the
 * whole company only (the report has no per-entity breakdown of them).
 */
export const KPI_METRICS = [
  "usageCompleteness.ratio",
  "usageCompleteness.missing",
  "eventLag.p50Ms",
  "eventLag.p95Ms",
  "invoiceLatency.p50Ms",
  "invoiceLatency.p95Ms",
  "erpPosting.firstPassSuccessRate",
  "erpPosting.eventualSuccessRate",
  "erpPosting.latencyP50Ms",
  "erpPosting.latencyP95Ms",
  "erpPosting.openFailures",
  "reconciliation.breaks",
  "reconciliation.breakRate",
  "paymentToEntitlement.p50Ms",
  "paymentToEntitlement.p95Ms",
  "paymentToEntitlement.overdue",
  "exceptions.open",
  "manualInterventions",
] as const;
export const KpiMetric = z.enum(KPI_METRICS);

/** Each figure in words, with the unit its threshold is written in. */
export const KPI_METRIC_LABELS: Record<KpiMetric, string> = {
  "usageCompleteness.ratio": "Usage completeness (share, 0–1)",
  "usageCompleteness.missing": "Usage events missing (count)",
  "eventLag.p50Ms": "Event lag p50 (ms)",
  "eventLag.p95Ms": "Event lag p95 (ms)",
  "invoiceLatency.p50Ms": "Invoice latency p50 (ms)",
  "invoiceLatency.p95Ms": "Invoice latency p95 (ms)",
  "erpPosting.firstPassSuccessRate": "ERP first-pass success (share, 0–1)",
  "erpPosting.eventualSuccessRate": "ERP eventual success (share, 0–1)",
  "erpPosting.latencyP50Ms": "ERP posting latency p50 (ms)",
  "erpPosting.latencyP95Ms": "ERP posting latency p95 (ms)",
  "erpPosting.openFailures": "ERP postings still failing (count)",
  "reconciliation.breaks": "Reconciliation breaks (count)",
  "reconciliation.breakRate": "Reconciliation break rate (share, 0–1)",
  "paymentToEntitlement.p50Ms": "Payment-to-entitlement p50 (ms)",
  "paymentToEntitlement.p95Ms": "Payment-to-entitlement p95 (ms)",
  "paymentToEntitlement.overdue": "Payments not synced in time (count)",
  "exceptions.open": "Open exceptions (count)",
  manualInterventions: "Manual interventions (count)",
};
export type KpiMetric = z.infer<typeof KpiMetric>;
export const COMPANY_ONLY_METRICS: readonly KpiMetric[] = [
  "exceptions.open",
  "manualInterventions",
];

export const COMPARISONS = ["<", "<=", ">", ">="] as const;
export const Comparison = z.enum(COMPARISONS);
export type Comparison = z.infer<typeof Comparison>;

/** Whether `value op threshold` holds; a null value (nothing to measure) never does. */
export function breaches(value: number | null, op: Comparison, threshold: number): boolean {
  if (value === null || !Number.isFinite(value)) return false;
  switch (op) {
    case "<":
      return value < threshold;
    case "<=":
      return value <= threshold;
    case ">":
      return value > threshold;
    case ">=":
      return value >= threshold;
  }
}

const MAX_WINDOW_MS = 366 * 86_400_000;

/** A trailing window: at least a minute, at most the year the KPI API serves. */
const Window = durationWithin(60_000, MAX_WINDOW_MS, "must be between PT1M and P366D");

export const KpiCondition = z.object({
  kind: z.literal("kpi"),
  metric: KpiMetric,
  op: Comparison,
  value: z.number().finite(),
  window: Window,
});

/**
 * A source (× event type) that sent nothing for longer than allowed: `after` a fixed duration,
 * or "learned", the allowance ingestion health learns from the pair's own history. A null
 * source or type means each one: one alert per silent pair.
 */
export const SilenceCondition = z.object({
  kind: z.literal("silence"),
  source: z.string().trim().min(1).max(200).nullable().default(null),
  type: z.string().trim().min(1).max(200).nullable().default(null),
  after: z.union([z.literal("learned"), Duration]).default("learned"),
});

export const KPI_CHANGE_UNITS = ["percent", "points"] as const;

/**
 * The same figure's change against the window of the same length just before: `percent` is
 * (now − before) / |before| × 100, `points` is now − before in the figure's own unit (a share
 * of 0.95 → 0.90 is −0.05 points). Null, which never fires, when either window has nothing
 * to measure, or for percent when the previous window measured 0.
 */
export const KpiChangeCondition = z.object({
  kind: z.literal("kpi_change"),
  metric: KpiMetric,
  unit: z.enum(KPI_CHANGE_UNITS),
  op: Comparison,
  value: z
    .number()
    .finite()
    .meta({ description: "The change, e.g. -20 (percent) or -0.05 (points)" }),
  window: Window,
});

/** The exception types a rule may watch: every type there is. */
export const ALERTABLE_EXCEPTION_TYPES = EXCEPTION_TYPES;
const AlertableExceptionType = z.enum(ALERTABLE_EXCEPTION_TYPES);

/** The exception severities, least first. */
export const EXCEPTION_SEVERITIES = SEVERITIES;

/** Open exceptions of a type at or above `atLeast` (the trigger when none is named). */
export const OpenExceptionsCondition = z.object({
  kind: z.literal("exceptions"),
  trigger: z.literal("open_count").default("open_count"),
  type: AlertableExceptionType,
  atLeast: z.int().min(1),
});

/**
 * An exception opened after the rule was made, still open, at or above `severity`: one alert
 * per exception, resolved when it closes. `type` null: any type.
 */
export const NewExceptionCondition = z.object({
  kind: z.literal("exceptions"),
  trigger: z.literal("new"),
  type: AlertableExceptionType.nullable().default(null),
  severity: z.enum(EXCEPTION_SEVERITIES),
});

/**
 * Open exceptions past their type's SLA (the breach target on /admin/settings) number at
 * least `atLeast`. `type` null: any type.
 */
export const SlaBreachCondition = z.object({
  kind: z.literal("exceptions"),
  trigger: z.literal("sla_breach"),
  type: AlertableExceptionType.nullable().default(null),
  atLeast: z.int().min(1).default(1),
});

/**
 * The open exceptions' amount at risk in the reporting currency (the sum of their sizes, in
 * its minor units) is above `aboveMinor`. Exceptions with an unknown amount or no rate add
 * nothing: a sum they would raise is never guessed. `type` null: any type.
 */
export const AmountAtRiskCondition = z.object({
  kind: z.literal("exceptions"),
  trigger: z.literal("amount_at_risk"),
  type: AlertableExceptionType.nullable().default(null),
  aboveMinor: z.int().min(0).meta({
    description: "In minor units of the reporting currency (an admin setting, USD by default)",
  }),
});

export const EXCEPTION_TRIGGERS = ["open_count", "new", "sla_breach", "amount_at_risk"] as const;

export const ExceptionsCondition = z.discriminatedUnion("trigger", [
  OpenExceptionsCondition,
  NewExceptionCondition,
  SlaBreachCondition,
  AmountAtRiskCondition,
]);

/**
 * An entity-month still NO-GO (close readiness) within `withinDays` of its close deadline,
 * or past it, and not closed. The deadline is per entity (/admin/settings). One alert per
 * entity-month; an entity null or "*" means each entity.
 */
export const CloseCondition = z.object({
  kind: z.literal("close"),
  withinDays: z.int().min(0).max(31),
});

export const AlertCondition = z.discriminatedUnion("kind", [
  KpiCondition,
  SilenceCondition,
  ExceptionsCondition,
  KpiChangeCondition,
  CloseCondition,
]);
export type AlertCondition = z.infer<typeof AlertCondition>;

/** How often a still-firing alert is told again: from a minute to a week. */
const RepeatInterval = durationWithin(60_000, 7 * 86_400_000, "must be between PT1M and P7D");

/** `entity`: one entity, null for the whole company, or "*" for one alert per entity. */
export const EACH_ENTITY = "*";

export const AlertRuleInput = z
  .object({
    name: z.string().trim().min(1, "Name is required").max(200),
    severity: AlertSeverity.default("warning"),
    condition: AlertCondition,
    entity: z.string().trim().min(1).max(200).nullable().default(null),
    for: Duration.default("PT0S"),
    channelIds: z.array(z.uuid()).max(20).default([]),
    enabled: z.boolean().default(true),
    /** Tell a still-firing alert again after this long (PT1M–P7D); null: only once. */
    repeat: RepeatInterval.nullable().default(null),
  })
  .refine(
    (rule) =>
      (rule.condition.kind !== "kpi" && rule.condition.kind !== "kpi_change") ||
      rule.entity === null ||
      !COMPANY_ONLY_METRICS.includes(rule.condition.metric),
    { message: "this figure exists for the whole company only", path: ["entity"] },
  )
  .refine((rule) => rule.condition.kind !== "silence" || rule.entity === null, {
    message: "a silence rule is per source, not per entity",
    path: ["entity"],
  });
export type AlertRuleInput = z.infer<typeof AlertRuleInput>;

/** The longest a silence may run: a silence forgotten for ever hides an outage. */
export const MAX_SILENCE_MS = 90 * 86_400_000;

export const AlertSilenceInput = z.object({
  ruleId: z.uuid(),
  /** One dimension of the rule (an entity, a `source / type` pair); null: every dimension. */
  dimension: z.string().trim().min(1).max(400).nullable().default(null),
  until: z.iso
    .datetime({ offset: true, error: "must be an ISO 8601 date and time with a zone" })
    .meta({ example: "2026-12-07T08:00:00Z" }),
  comment: z.string().trim().min(1, "Say why it is silenced").max(2000),
});
export type AlertSilenceInput = z.infer<typeof AlertSilenceInput>;
