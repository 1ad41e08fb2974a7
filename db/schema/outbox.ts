import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { tstz, nowOnInsert, uuidId, serialId, belongsTo } from "./columns";
import { creation } from "./access";
import { alertChannels } from "./alerts";
import { digests } from "./digests";
import { exceptions } from "./exceptions";

/*
 * The outbox: work that another system must do (retry an ERP posting, book a correction) is
 * written here as a command in the same transaction as the decision and its audit entry, and
 * a dispatcher delivers it afterwards to the webhook an admin configured for its kind.
 */

/** What the outbox can ask a receiving system to do; a webhook endpoint subscribes to some. */
export const COMMAND_KINDS = ["erp.posting.retry", "correction.execute"] as const;
export type CommandKind = (typeof COMMAND_KINDS)[number];

/**
 * Alert notices ride the same outbox (retries, backoff, dead letter, delivery log) but go to
 * the alert channel named on the command, not to the endpoint subscribed to a kind.
 */
export const ALERT_NOTICE_KINDS = ["alert.firing", "alert.resolved", "alert.acknowledged"] as const;
/** A scheduled digest rides it too: to an alert channel, or to its owner's own address. */
export const DIGEST_KIND = "digest";
export type OutboxKind = CommandKind | (typeof ALERT_NOTICE_KINDS)[number] | typeof DIGEST_KIND;

export const COMMAND_STATUSES = ["pending", "delivering", "delivered", "dead"] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

/**
 * A receiving system's webhook. The secret signs every delivery (Standard Webhooks); it has
 * to be kept readable to sign with, so it is shown to the admin once, at creation, and no
 * list or page ever selects it again.
 */
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: uuidId(),
    name: text("name").notNull(),
    url: text("url").notNull(),
    /** `whsec_` + base64 of 32 random bytes. */
    secret: text("secret").notNull(),
    kinds: text("kinds").array().notNull(),
    active: boolean("active").notNull().default(true),
    ...creation(),
    deactivatedAt: tstz("deactivated_at"),
  },
  (t) => [
    index("webhook_endpoints_active_idx")
      .on(t.createdAt)
      .where(sql`${t.active}`),
  ],
);

/**
 * One command to one endpoint. `id` is sent as `webhook-id` on every attempt, so a receiver
 * that saw it already can drop a repeat: delivery is at least once. `idempotency_key` is
 * unique, so two people asking for the same thing at once produce one command.
 *
 * pending → delivering (claimed; `lease_until` bounds the claim, after which another
 * dispatcher may take it) → delivered on a 2xx, or back to pending with `next_attempt_at`
 * pushed out, or dead after the last attempt (an operator can re-send it).
 */
export const outboxCommands = pgTable(
  "outbox_commands",
  {
    id: uuidId(),
    kind: text("kind", {
      enum: [...COMMAND_KINDS, ...ALERT_NOTICE_KINDS, DIGEST_KIND],
    }).notNull(),
    /**
     * At most one of the two is set: a command's endpoint, or a notice's channel. Neither is
     * set only for a digest to its owner's own address (`digest_id` names whose).
     */
    endpointId: uuid("endpoint_id").references(() => webhookEndpoints.id),
    alertChannelId: uuid("alert_channel_id").references(() => alertChannels.id),
    digestId: uuid("digest_id").references(() => digests.id),
    payload: jsonb("payload").notNull(),
    exceptionId: uuid("exception_id").references(() => exceptions.id),
    idempotencyKey: text("idempotency_key").notNull(),
    status: text("status", { enum: COMMAND_STATUSES }).notNull().default("pending"),
    /** Delivery attempts started, counted when claimed. */
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: nowOnInsert("next_attempt_at"),
    leaseUntil: tstz("lease_until"),
    lastError: text("last_error"),
    ...creation(),
    updatedAt: nowOnInsert("updated_at"),
    deliveredAt: tstz("delivered_at"),
  },
  (t) => [
    uniqueIndex("outbox_commands_idempotency_key").on(t.idempotencyKey),
    // What the dispatcher polls: due pending commands and expired claims.
    index("outbox_commands_due_idx")
      .on(t.nextAttemptAt)
      .where(sql`${t.status} = 'pending'`),
    index("outbox_commands_lease_idx")
      .on(t.leaseUntil)
      .where(sql`${t.status} = 'delivering'`),
    index("outbox_commands_exception_idx").on(t.exceptionId, t.createdAt),
    index("outbox_commands_status_idx").on(t.status, t.createdAt),
    check(
      "outbox_commands_one_destination",
      sql`num_nonnulls(${t.endpointId}, ${t.alertChannelId}) = 1 or (${t.digestId} is not null and num_nonnulls(${t.endpointId}, ${t.alertChannelId}) = 0)`,
    ),
  ],
);

/** Every delivery attempt and its outcome, for the admin's delivery log. */
export const outboxDeliveries = pgTable(
  "outbox_deliveries",
  {
    id: serialId(),
    commandId: belongsTo("command_id", () => outboxCommands.id),
    attempt: integer("attempt").notNull(),
    at: nowOnInsert("at"),
    /** The receiver's answer; null when there was none (timeout, refused connection). */
    httpStatus: integer("http_status"),
    error: text("error"),
    durationMs: integer("duration_ms"),
  },
  (t) => [index("outbox_deliveries_command_idx").on(t.commandId, t.attempt)],
);

export type WebhookEndpoint = typeof webhookEndpoints.$inferSelect;
export type OutboxCommand = typeof outboxCommands.$inferSelect;
export type OutboxDelivery = typeof outboxDeliveries.$inferSelect;
