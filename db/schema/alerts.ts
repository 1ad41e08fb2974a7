import { sql } from "drizzle-orm";
import {
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import type { AlertChannelKind, QuietHours } from "../../lib/contract/alert-channels";
import type { AlertCondition, AlertSeverity } from "../../lib/contract/alert-rules";
import { creation, userRef } from "./access";
import { tstz, nowOnInsert, uuidId, belongsTo } from "./columns";

/*
 * Alerting: channels (where a notice goes), rules (what to watch) and alerts (one per rule ×
 * dimension while the condition holds). Notices reach channels through the outbox.
 */

/**
 * A channel's address: a URL, e-mail recipients, or for Slack with a bot token the Slack
 * channel's id and the Web API's base URL (the token itself is the sealed `secret`).
 */
export interface AlertChannelConfig {
  url?: string;
  to?: string[];
  slackChannel?: string;
  apiUrl?: string;
}

export const ALERT_STATES = ["pending", "firing", "resolved"] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/**
 * Where notices go. `config` holds the kind's address (a URL, or e-mail recipients); a
 * webhook channel's signing secret is sealed like an outbox endpoint's and shown once.
 */
export const alertChannels = pgTable("alert_channels", {
  id: uuidId(),
  kind: text("kind").$type<AlertChannelKind>().notNull(),
  name: text("name").notNull(),
  config: jsonb("config").$type<AlertChannelConfig>().notNull(),
  secret: text("secret"),
  /** Local hours in which notices are held until they end (lib/alerts/quiet-hours.ts). */
  quietHours: jsonb("quiet_hours").$type<QuietHours>(),
  /** ISO 8601 duration: firing notices within it go out as one message. */
  groupWindow: text("group_window"),
  active: boolean("active").notNull().default(true),
  /** Bumped on every change; a write may name the version it was based on (If-Match). */
  version: integer("version").notNull().default(1),
  ...creation(),
  updatedAt: nowOnInsert("updated_at"),
});

/** `entity`: null is the whole company, "*" one alert per entity. `for_ms`: the pending duration. */
export const alertRules = pgTable("alert_rules", {
  id: uuidId(),
  name: text("name").notNull(),
  severity: text("severity").$type<AlertSeverity>().notNull(),
  condition: jsonb("condition").$type<AlertCondition>().notNull(),
  entity: text("entity"),
  forDuration: text("for_duration").notNull().default("PT0S"),
  /** ISO 8601 duration after which a still-firing alert is told again; null: never. */
  repeatInterval: text("repeat_interval"),
  channelIds: uuid("channel_ids")
    .array()
    .notNull()
    .default(sql`'{}'::uuid[]`),
  enabled: boolean("enabled").notNull().default(true),
  ownerId: userRef("owner_id"),
  /** Bumped on every change; a write may name the version it was based on (If-Match). */
  version: integer("version").notNull().default(1),

  createdAt: nowOnInsert("created_at"),
  updatedAt: nowOnInsert("updated_at"),
  deletedAt: tstz("deleted_at"),
});

/**
 * One alert per rule × dimension while its condition holds: pending (held for the rule's
 * `for`), firing (notified), resolved (notified, kept as history). The partial unique index
 * makes a second unresolved alert for one rule × dimension impossible, whoever evaluates.
 * `dimension` is '' for the whole company.
 */
export const alerts = pgTable(
  "alerts",
  {
    id: uuidId(),
    ruleId: belongsTo("rule_id", () => alertRules.id),
    dimension: text("dimension").notNull().default(""),
    state: text("state").$type<AlertState>().notNull(),
    value: doublePrecision("value"),
    threshold: doublePrecision("threshold"),
    pendingSince: tstz("pending_since").notNull(),
    startedAt: tstz("started_at"),
    resolvedAt: tstz("resolved_at"),
    lastEvaluatedAt: tstz("last_evaluated_at").notNull(),
    acknowledgedAt: tstz("acknowledged_at"),
    acknowledgedBy: userRef("acknowledged_by"),
    acknowledgeComment: text("acknowledge_comment"),
    /**
     * When its channels were last told it is firing (the first notice, a repeat, or the
     * catch-up after a silence); null while a firing notice is owed (withheld by a silence).
     */
    notifiedAt: tstz("notified_at"),
    /** Bumped when it fires, resolves or is acknowledged, not by each evaluation's reading. */
    version: integer("version").notNull().default(1),
  },
  (t) => [
    uniqueIndex("alerts_open_per_dimension")
      .on(t.ruleId, t.dimension)
      .where(sql`${t.state} <> 'resolved'`),
    index("alerts_state_idx").on(t.state, t.startedAt),
  ],
);

/**
 * Mutes a rule's notices (every dimension when `dimension` is null) until `until`, or until
 * lifted. Alerts keep changing state under a silence; only their notices are withheld.
 */
export const alertSilences = pgTable(
  "alert_silences",
  {
    id: uuidId(),
    ruleId: belongsTo("rule_id", () => alertRules.id),
    dimension: text("dimension"),
    until: tstz("until").notNull(),
    comment: text("comment").notNull(),
    ...creation(),
    liftedAt: tstz("lifted_at"),
    liftedBy: userRef("lifted_by"),
    /** Bumped when lifted: the one change a silence has (If-Match). */
    version: integer("version").notNull().default(1),
  },
  (t) => [
    index("alert_silences_rule_idx")
      .on(t.ruleId, t.until)
      .where(sql`${t.liftedAt} is null`),
  ],
);

/**
 * The Slack message that opened an alert's thread on a channel posting with a bot token: its
 * `ts`, which later notices of the alert (resolved, acknowledged, repeats) reply under.
 */
export const alertSlackThreads = pgTable(
  "alert_slack_threads",
  {
    alertId: uuid("alert_id")
      .notNull()
      .references(() => alerts.id),
    channelId: uuid("channel_id")
      .notNull()
      .references(() => alertChannels.id),
    ts: text("ts").notNull(),
    createdAt: nowOnInsert("created_at"),
  },
  (t) => [primaryKey({ columns: [t.alertId, t.channelId] })],
);

export type AlertSilence = typeof alertSilences.$inferSelect;
export type AlertChannel = typeof alertChannels.$inferSelect;
export type AlertRule = typeof alertRules.$inferSelect;
export type Alert = typeof alerts.$inferSelect;
