import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { tstz, nowOnInsert, int8, uuidId, belongsTo } from "./columns";
import { apiKeys, userRef, users } from "./access";
import { exceptions } from "./exceptions";
import { outboxCommands } from "./outbox";
import { entityCurrencyThreshold } from "./close";

export const CORRECTION_KINDS = [
  "credit_note",
  "rebill",
  "journal_adjustment",
  "write_off",
] as const;
export type CorrectionKind = (typeof CORRECTION_KINDS)[number];

/** Which exceptions a correction can answer: those where money has to change. */
export const CORRECTABLE_EXCEPTION_TYPES = [
  "reconciliation_break",
  "invoice_disputed",
  "retroactive_amendment",
] as const;

/**
 * pending_approval → approved (a command is queued to the target system) or rejected.
 * After approval the delivery state comes from the outbox command (`command_id`).
 */
export const CORRECTION_STATUSES = ["pending_approval", "approved", "rejected"] as const;
export type CorrectionStatus = (typeof CORRECTION_STATUSES)[number];

/** A proposed change of money, under maker-checker control. */
export const corrections = pgTable(
  "corrections",
  {
    id: uuidId(),
    exceptionId: belongsTo("exception_id", () => exceptions.id),
    kind: text("kind", { enum: CORRECTION_KINDS }).notNull(),
    amountMinor: int8("amount_minor").notNull(),
    currency: text("currency").notNull(),
    entity: text("entity"),
    targetSystem: text("target_system").notNull(),
    reason: text("reason").notNull(),
    status: text("status", { enum: CORRECTION_STATUSES }).notNull().default("pending_approval"),
    /** 1, or 2 above the entity's threshold; fixed when proposed so a later threshold change cannot lower it. */
    requiredApprovals: integer("required_approvals").notNull(),
    /** The person who proposed it, or null when a service key did (proposedByKeyId). */
    proposedBy: userRef("proposed_by"),
    proposedByKeyId: uuid("proposed_by_key_id").references(() => apiKeys.id),
    proposedAt: nowOnInsert("proposed_at"),
    decidedAt: tstz("decided_at"),
    commandId: uuid("command_id").references(() => outboxCommands.id),
    /** Bumped on every change; approving needs the version the approver read. */
    version: integer("version").notNull().default(1),
  },
  (t) => [
    index("corrections_exception_idx").on(t.exceptionId, t.proposedAt),
    index("corrections_pending_idx")
      .on(t.proposedAt)
      .where(sql`${t.status} = 'pending_approval'`),
    check(
      "corrections_one_proposer",
      sql`(${t.proposedBy} is null) <> (${t.proposedByKeyId} is null)`,
    ),
  ],
);

/** One decision per person per correction: the same person cannot count twice. */
export const correctionDecisions = pgTable(
  "correction_decisions",
  {
    id: uuidId(),
    correctionId: belongsTo("correction_id", () => corrections.id),
    deciderId: belongsTo("decider_id", () => users.id),
    decision: text("decision", { enum: ["approve", "reject"] }).notNull(),
    reason: text("reason").notNull(),
    at: nowOnInsert("at"),
  },
  (t) => [uniqueIndex("correction_decisions_once").on(t.correctionId, t.deciderId)],
);

/** Per entity and currency: corrections above this need two approvers. */
export const approvalThresholds = pgTable("approval_thresholds", entityCurrencyThreshold(), (t) => [
  uniqueIndex("approval_thresholds_entity_currency").on(t.entity, t.currency),
]);

export type Correction = typeof corrections.$inferSelect;
