import { z } from "zod";
// The plain list, not the schema module: the rule form imports this contract in the browser.
import { EXCEPTION_TYPES, SEVERITIES } from "@/db/schema/exception-vocabulary";

/*
 * Alerting's contract: the rules and channels an admin writes and the message a channel
 * receives. One source for validation (API, forms) and for the types the domain uses.
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

const ISO_DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/**
 * An ISO 8601 duration of weeks, days, hours, minutes and seconds (`P1D`, `PT10M`, `P1DT12H`)
 * in milliseconds, a day being 24 hours; null when it is not one. Years and months are
 * refused: their length depends on where they start.
 */
export function durationMs(text: string): number | null {
  const m = ISO_DURATION.exec(text);
  if (!m || text === "P" || text.endsWith("T")) return null;
  const [w, d, h, min, s] = m.slice(1).map((part) => Number(part ?? 0));
  return ((((w! * 7 + d!) * 24 + h!) * 60 + min!) * 60 + s!) * 1000;
}

const MAX_WINDOW_MS = 366 * 86_400_000;

export const Duration = z
  .string()
  .refine((text) => durationMs(text) !== null, {
    message: "must be an ISO 8601 duration of weeks, days, hours, minutes or seconds, e.g. PT10M",
  })
  .meta({ description: "ISO 8601 duration (W, D, H, M, S)", example: "PT10M" });

/** A trailing window: at least a minute, at most the year the KPI API serves. */
const Window = Duration.refine((text) => {
  const ms = durationMs(text) ?? 0;
  return ms >= 60_000 && ms <= MAX_WINDOW_MS;
}, "must be between PT1M and P366D");

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
const RepeatInterval = Duration.refine((text) => {
  const ms = durationMs(text) ?? 0;
  return ms >= 60_000 && ms <= 7 * 86_400_000;
}, "must be between PT1M and P7D");

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

export const ALERT_CHANNEL_KINDS = ["webhook", "slack", "email", "teams", "pagerduty"] as const;
export const AlertChannelKind = z.enum(ALERT_CHANNEL_KINDS);
export type AlertChannelKind = z.infer<typeof AlertChannelKind>;

const HttpUrl = z
  .url({ protocol: /^https?$/, error: "must be an http or https address" })
  .max(2000);

/** The most recipients one e-mail channel has: a list, not a mailing list. */
export const MAX_EMAIL_RECIPIENTS = 20;

const EmailRecipients = z
  .array(z.email({ error: "must be an e-mail address" }).max(254))
  .min(1, "at least one recipient is required")
  .max(MAX_EMAIL_RECIPIENTS, `at most ${MAX_EMAIL_RECIPIENTS} recipients`)
  .meta({ description: "Recipients' addresses", example: ["finance-oncall@example.com"] });

const ChannelName = z.string().trim().min(1).max(100);

/** A PagerDuty Events API v2 integration key: 32 letters and digits. */
export const PagerDutyRoutingKey = z
  .string()
  .trim()
  .regex(
    /^[A-Za-z0-9]{32}$/,
    "must be the 32-character integration key of an Events API v2 integration",
  )
  .meta({
    description: "The service's Events API v2 integration key; stored sealed and never returned",
    writeOnly: true,
  });

/**
 * PagerDuty: the routing key is a credential (whoever has it can open incidents), so it is
 * sealed like a webhook secret and no answer shows it. `eventsUrl` is for EU accounts
 * (https://events.eu.pagerduty.com/v2/enqueue) and tests.
 */
export const PagerDutyChannelInput = z.object({
  kind: z.literal("pagerduty"),
  name: ChannelName,
  routingKey: PagerDutyRoutingKey,
  eventsUrl: HttpUrl.optional().meta({
    description: "Events API v2 address; https://events.pagerduty.com/v2/enqueue when absent",
  }),
});

/** A Slack app's bot token, with chat:write on the channel it posts to. */
export const SlackBotToken = z
  .string()
  .trim()
  .regex(/^xoxb-[A-Za-z0-9-]{1,250}$/, "must be a Slack bot token, xoxb-…")
  .meta({
    description: "A Slack app's bot token (chat:write); stored sealed and never returned",
    writeOnly: true,
  });

/**
 * Slack: an incoming-webhook `url`, or a bot token with the Slack channel's id, which lets an
 * alert's resolved and acknowledged notices reply in the thread of its firing message (an
 * incoming webhook cannot thread). Exactly one of the two (lib/alerts/channels.ts).
 */
export const SlackChannelInput = z.object({
  kind: z.literal("slack"),
  name: ChannelName,
  url: HttpUrl.optional().meta({
    description: "The incoming-webhook URL; not with botToken",
  }),
  botToken: SlackBotToken.optional(),
  slackChannel: z
    .string()
    .trim()
    .regex(/^[CGD][A-Z0-9]{2,30}$/, "must be a Slack channel id, like C0123456789")
    .optional()
    .meta({ description: "The Slack channel's id (with botToken)", example: "C0123456789" }),
  apiUrl: HttpUrl.optional().meta({
    description: "The Slack Web API's base; https://slack.com/api when absent",
  }),
});
export type SlackChannelInput = z.infer<typeof SlackChannelInput>;

export const AlertChannelInput = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("webhook"), name: ChannelName, url: HttpUrl }),
  SlackChannelInput,
  /** Sent through the install's SMTP server (SMTP_URL), not one of the channel's own. */
  z.object({ kind: z.literal("email"), name: ChannelName, to: EmailRecipients }),
  /** A Teams workflow's "when a webhook request is received" URL; it gets Adaptive Cards. */
  z.object({ kind: z.literal("teams"), name: ChannelName, url: HttpUrl }),
  PagerDutyChannelInput,
]);
export type PagerDutyChannelInput = z.infer<typeof PagerDutyChannelInput>;
export type AlertChannelInput = z.infer<typeof AlertChannelInput>;

export const ALERT_NOTICE_TYPES = ["alert.firing", "alert.resolved", "alert.acknowledged"] as const;
export type AlertNoticeType = (typeof ALERT_NOTICE_TYPES)[number];

/** What a webhook channel receives, and what every other channel renders. */
export const AlertNotice = z.object({
  type: z.enum(ALERT_NOTICE_TYPES),
  alert: z.object({
    id: z.uuid(),
    ruleId: z.uuid(),
    ruleName: z.string(),
    severity: AlertSeverity,
    /** The dimension: an entity, a `source / type` pair, or null for the whole company. */
    entity: z.string().nullable(),
    value: z.number().nullable(),
    threshold: z.number().nullable(),
    startedAt: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    url: z.string(),
    /** The page the alert is about, filtered to its dimension (overview, queue, checklist). */
    view: z.string().nullable().optional(),
    acknowledged: z
      .object({ by: z.string().nullable(), at: z.string(), comment: z.string() })
      .nullable()
      .optional(),
  }),
});
export type AlertNotice = z.infer<typeof AlertNotice>;

/*
 * The lifecycle around notices: silences, a channel's quiet hours and group window, and the
 * message a group of firing alerts makes (docs/alerts.md).
 */

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

/** Whether the runtime knows an IANA time zone by this name. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const LocalTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a local time HH:MM")
  .meta({ example: "22:00" });

/**
 * Hours in which a channel's notices are held, from `start` to `end` local time in `timeZone`
 * (an end before the start runs over midnight). `criticalBypass`: critical alerts go out anyway.
 */
export const QuietHours = z
  .object({
    start: LocalTime,
    end: LocalTime,
    timeZone: z
      .string()
      .max(100)
      .refine(isTimeZone, "must be an IANA time zone, e.g. Europe/Berlin")
      .meta({ example: "Europe/Berlin" }),
    criticalBypass: z.boolean().default(false),
  })
  .refine((q) => q.start !== q.end, { message: "start and end must differ", path: ["end"] });
export type QuietHours = z.infer<typeof QuietHours>;

/** A channel's group window: from a few seconds to an hour. */
const GroupWindow = Duration.refine((text) => {
  const ms = durationMs(text) ?? 0;
  return ms >= 1_000 && ms <= 3_600_000;
}, "must be between PT1S and PT1H");

/** The channel kinds whose receivers take a group of alerts as one message. */
export const GROUPABLE_CHANNEL_KINDS: readonly string[] = ["webhook", "slack", "email"];

/** How a channel is told, beside where (AlertChannelInput): any channel kind, on create and PATCH. */
export const ChannelDeliveryInput = z.object({
  quietHours: QuietHours.nullable().optional(),
  groupWindow: GroupWindow.nullable().optional(),
});
export type ChannelDeliveryInput = z.infer<typeof ChannelDeliveryInput>;

/**
 * Several alerts that started firing within a channel's group window, as one message. One
 * alert alone is always sent as the single-alert AlertNotice.
 */
export const AlertGroupNotice = z.object({
  type: z.literal("alert.group"),
  alerts: z.array(AlertNotice.shape.alert).min(2),
});
export type AlertGroupNotice = z.infer<typeof AlertGroupNotice>;

/** One attempt at delivering a notice, as the delivery log shows it. */
export const AlertDeliveryAttempt = z.object({
  attempt: z.int().min(0),
  at: z.iso.datetime({ offset: true }),
  /** The receiver's HTTP status; null for e-mail and when nothing answered (timeout, refused). */
  httpStatus: z.int().nullable(),
  /** What came of it in words: `HTTP 200`, `accepted by the SMTP server`, or the error. */
  result: z.string(),
  ok: z.boolean(),
  durationMs: z.int().nullable(),
});

/**
 * One notice of an alert to one channel (a transition: firing, resolved, acknowledged) and
 * every attempt at it: the alert's delivery log.
 */
export const AlertDelivery = z.object({
  id: z.uuid().meta({ description: "The outbox command; sent as webhook-id on each attempt" }),
  channel: z.object({ id: z.uuid(), name: z.string(), kind: AlertChannelKind }),
  transition: z.enum(["firing", "resolved", "acknowledged"]),
  /** How many alerts the message told of: more than 1 when grouped. */
  alertsInMessage: z.int().min(1),
  status: z.enum(["pending", "delivering", "delivered", "dead"]),
  deadLettered: z.boolean(),
  attempts: z.array(AlertDeliveryAttempt),
  /** When the next attempt is due; null once delivered or dead. */
  nextAttemptAt: z.iso.datetime({ offset: true }).nullable(),
  lastError: z.string().nullable(),
  createdAt: z.iso.datetime({ offset: true }),
  deliveredAt: z.iso.datetime({ offset: true }).nullable(),
});
export type AlertDelivery = z.infer<typeof AlertDelivery>;
export type AlertDeliveryAttempt = z.infer<typeof AlertDeliveryAttempt>;
