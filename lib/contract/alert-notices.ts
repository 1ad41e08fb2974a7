import { z } from "zod";
import { AlertChannelKind } from "./alert-channels";
import { AlertSeverity } from "./alert-rules";

/*
 * What alerting sends: the message a channel receives for one alert or a group of them, and
 * the delivery log of each message.
 */

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
    valueText: z.string().optional().meta({
      description:
        "The value as people read it, in the rule's unit: 87.0 %, 4 min 10 s, 50,000.00 USD, or no data",
    }),
    thresholdText: z.string().nullable().optional().meta({
      description: "The threshold as people read it, in the same unit; null when there is none",
    }),
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
