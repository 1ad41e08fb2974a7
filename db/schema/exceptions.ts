import { sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import {
  check,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  text,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { tstz, nowOnInsert, int8, uuidId, serialId, belongsTo, utcDay } from "./columns";
import { apiKeys, userRef } from "./access";
import {
  CLOSED_EXCEPTION_STATUSES,
  COMMENT_MAX_LENGTH,
  EXCEPTION_STATUSES,
  EXCEPTION_TYPES,
  INCIDENT_TYPES,
  OPEN_EXCEPTION_STATUSES,
  SEVERITIES,
  type ExceptionStatus,
} from "./exception-vocabulary";

export * from "./exception-vocabulary";

/** Statuses as a literal SQL list, `('open', …)`, for raw queries. */
const statusListSql = (statuses: readonly ExceptionStatus[]) =>
  sql.raw(`(${statuses.map((s) => `'${s}'`).join(", ")})`);

/** The types whose exceptions form incidents, as a literal SQL list (a partial index's predicate). */
export const INCIDENT_TYPES_SQL = sql.raw(
  `(${INCIDENT_TYPES.map((type) => `'${type}'`).join(", ")})`,
);

/**
 * The open statuses as a literal SQL list: literal so the planner can match a query's status
 * list to the partial indexes below.
 */
export const OPEN_STATUS_SQL = statusListSql(OPEN_EXCEPTION_STATUSES);
/** The closed statuses as a literal SQL list. */
export const CLOSED_STATUS_SQL = statusListSql(CLOSED_EXCEPTION_STATUSES);

/** The predicate of the partial indexes: literal, so the planner can match a query's status list to it. */
const stillOpen = (status: AnyPgColumn) => sql`${status} in ${OPEN_STATUS_SQL}`;

/**
 * Exceptions that share a cause, grouped (lib/exceptions/incidents.ts says which causes and
 * the window rule). Membership is `exceptions.incident_id`; what an incident shows (status,
 * blast radius) is derived from its members when read, so no member change can leave it stale.
 */
export const incidents = pgTable(
  "incidents",
  {
    id: uuidId(),
    /** The exception type its members share. */
    kind: text("kind", { enum: EXCEPTION_TYPES }).notNull(),
    /** What the members have in common, e.g. type|system|entity|error code. */
    causeKey: text("cause_key").notNull(),
    title: text("title").notNull(),
    /** The earliest and latest time a member's problem occurred. */
    firstSeen: tstz("first_seen").notNull(),
    lastSeen: tstz("last_seen").notNull(),
    createdAt: nowOnInsert("created_at"),
  },
  (t) => [
    // The cause's latest incidents, which a new member may join.
    index("incidents_cause_idx").on(t.causeKey, t.lastSeen),
    // The list's keyset order.
    index("incidents_last_seen_idx").on(t.lastSeen, t.id),
  ],
);

/**
 * One row per underlying problem: (type, problem_key) is unique, so a repeated or late event
 * finds the existing exception instead of raising a second one. The correlation ids (invoice,
 * posting, payment, customer, run, contract) tie it to the events of its timeline.
 */
export const exceptions = pgTable(
  "exceptions",
  {
    id: uuidId(),
    type: text("type", { enum: EXCEPTION_TYPES }).notNull(),
    /** What makes two occurrences the same problem, e.g. the posting id or run id + key. */
    problemKey: text("problem_key").notNull(),
    status: text("status", { enum: EXCEPTION_STATUSES }).notNull().default("open"),
    severity: text("severity", { enum: SEVERITIES }).notNull().default("medium"),
    title: text("title").notNull(),
    entity: text("entity"),
    amountMinor: int8("amount_minor"),
    currency: text("currency"),
    /**
     * The amount in the reporting currency at the rate in effect on the UTC day the exception
     * opened, with that rate and its day: kept by a trigger on every write of the amount
     * (migration 0038) and rewritten when a rate or the reporting currency changes. Null
     * amount: unknown (no amount, no rate in effect, or too large for a bigint).
     */
    reportingCurrency: text("reporting_currency"),
    reportingRate: numeric("reporting_rate"),
    reportingRateDate: utcDay("reporting_rate_date"),
    reportingAmountMinor: int8("reporting_amount_minor"),
    ownerId: userRef("owner_id"),
    invoiceId: text("invoice_id"),
    postingId: text("posting_id"),
    paymentId: text("payment_id"),
    customerId: text("customer_id"),
    runId: text("run_id"),
    contractId: text("contract_id"),
    details: jsonb("details").notNull().default({}),
    openedAt: nowOnInsert("opened_at"),
    updatedAt: nowOnInsert("updated_at"),
    closedAt: tstz("closed_at"),
    /** `system` when telemetry closed it, else the user's id. */
    closedBy: text("closed_by"),
    resolutionCode: text("resolution_code"),
    resolutionNote: text("resolution_note"),
    /** Bumped on every change; an action carries the version it was based on. */
    version: integer("version").notNull().default(1),
    /** The incident of the exception's cause; null for the types that form none. */
    incidentId: uuid("incident_id").references(() => incidents.id),
  },
  (t) => [
    uniqueIndex("exceptions_problem_key").on(t.type, t.problemKey),
    index("exceptions_open_idx").on(t.openedAt, t.id).where(stillOpen(t.status)),
    index("exceptions_type_status_idx").on(t.type, t.status, t.openedAt, t.id),
    index("exceptions_entity_idx").on(t.entity, t.status),
    // The queue's keyset orders (db/queries/exceptions.ts), one per sort and per narrowing
    // filter, over open items only: closed ones pile up and the queues rarely show them.
    index("exceptions_open_type_idx").on(t.type, t.openedAt, t.id).where(stillOpen(t.status)),
    index("exceptions_open_entity_idx").on(t.entity, t.openedAt, t.id).where(stillOpen(t.status)),
    // The tab counts per type under the shell's entity filter, and entity + type pages.
    index("exceptions_open_entity_type_idx")
      .on(t.entity, t.type, t.openedAt, t.id)
      .where(stillOpen(t.status)),
    index("exceptions_open_owner_idx").on(t.ownerId, t.openedAt, t.id).where(stillOpen(t.status)),
    index("exceptions_open_severity_idx")
      .on(sql`closeline_severity_order(${t.severity})`, t.openedAt, t.id)
      .where(stillOpen(t.status)),
    // The exceptions on an invoice's or a customer's revenue thread (db/queries/thread.ts).
    index("exceptions_invoice_idx").on(t.invoiceId),
    index("exceptions_payment_idx").on(t.paymentId),
    index("exceptions_customer_idx").on(t.customerId),
    index("exceptions_incident_idx").on(t.incidentId),
    // The members still to be given an incident (lib/exceptions/incidents.ts): few at any time.
    index("exceptions_unassigned_idx")
      .on(t.id)
      .where(sql`${t.incidentId} is null and ${t.type} in ${INCIDENT_TYPES_SQL}`),
    index("exceptions_open_amount_idx")
      .on(sql`closeline_amount_size(${t.amountMinor}, ${t.currency})`, t.openedAt, t.id)
      .where(stillOpen(t.status)),
    index("exceptions_open_reporting_amount_idx")
      .on(sql`coalesce(abs(${t.reportingAmountMinor}), -1)`, t.openedAt, t.id)
      .where(stillOpen(t.status)),
    index("exceptions_currency_opened_idx").on(t.currency, t.openedAt),
  ],
);

/**
 * What people said about an exception, in order. Append-only like the audit log (the
 * migration installs a trigger refusing UPDATE and DELETE): a comment is part of the record.
 */
export const exceptionComments = pgTable(
  "exception_comments",
  {
    id: serialId(),
    exceptionId: belongsTo("exception_id", () => exceptions.id),
    /** The person who wrote it, or null when a service key did (authorKeyId). */
    authorId: userRef("author_id"),
    authorKeyId: uuid("author_key_id").references(() => apiKeys.id),
    body: text("body").notNull(),
    createdAt: nowOnInsert("created_at"),
  },
  (t) => [
    index("exception_comments_exception_idx").on(t.exceptionId, t.createdAt, t.id),
    check(
      "exception_comments_body_length",
      sql`char_length(${t.body}) between 1 and ${sql.raw(String(COMMENT_MAX_LENGTH))}`,
    ),
    check(
      "exception_comments_one_author",
      sql`(${t.authorId} is null) <> (${t.authorKeyId} is null)`,
    ),
  ],
);

/** The ids that tie an exception to the events of its timeline. */
export type ExceptionCorrelation = Pick<
  typeof exceptions.$inferSelect,
  "invoiceId" | "postingId" | "paymentId" | "customerId" | "runId" | "contractId"
>;

export type ExceptionComment = typeof exceptionComments.$inferSelect;

/**
 * Batches whose exception detection is still to run: written in the transaction that stores
 * a batch's events, deleted by the transaction that detects it (lib/exceptions/detect.ts,
 * drainDetection). `scope` is the batch's DetectionScope, `detect_at` the moment it was
 * received, at which its deadlines are judged.
 */
export const detectionQueue = pgTable("detection_queue", {
  id: serialId(),
  detectAt: tstz("detect_at").notNull(),
  scope: jsonb("scope").notNull(),
  queuedAt: nowOnInsert("queued_at"),
});
