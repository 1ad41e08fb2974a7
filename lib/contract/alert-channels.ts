import { z } from "zod";
import { durationWithin } from "./duration";

/*
 * Alerting's channels: where a notice goes (webhook, Slack, e-mail, Teams, PagerDuty) and how
 * a channel is told (quiet hours, group window; docs/alerts.md).
 */

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
const GroupWindow = durationWithin(1_000, 3_600_000, "must be between PT1S and PT1H");

/**
 * The channel kinds whose receivers take a group of alerts as one message. Not PagerDuty:
 * each alert is its own incident there, triggered and resolved by its own dedup key, and
 * PagerDuty groups incidents by its own rules (its alert grouping), so a group window would
 * only delay the page.
 */
export const GROUPABLE_CHANNEL_KINDS: readonly string[] = ["webhook", "slack", "email", "teams"];

/** How a channel is told, beside where (AlertChannelInput): any channel kind, on create and PATCH. */
export const ChannelDeliveryInput = z.object({
  quietHours: QuietHours.nullable().optional(),
  groupWindow: GroupWindow.nullable().optional().meta({
    description:
      "Alerts that start within it go out as one message (webhook, Slack, Teams, e-mail); refused for PagerDuty, which gets one event per alert",
  }),
});
export type ChannelDeliveryInput = z.infer<typeof ChannelDeliveryInput>;
