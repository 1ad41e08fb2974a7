import { sql } from "drizzle-orm";
import {
  doublePrecision,
  index,
  numeric,
  pgTable,
  primaryKey,
  text,
  uuid,
} from "drizzle-orm/pg-core";
import { tstz, int8, utcDay, periodSpan, rollupShard } from "./columns";
import { millisBetween } from "./durations";
import { events } from "./telemetry";

/*
 * Typed read models of the event stream, one table per event type, written in the same
 * transaction as the event itself (lib/ingest/project.ts). Money is integer minor units
 * next to an ISO 4217 code. Where a later event supersedes an earlier one, "later" is
 * decided by (event time, event id) so that the same set of events gives the same rows in
 * any arrival order.
 */

/** Indexed where it is not the key: retention deletes by it and the foreign key is checked by it. */
const eventSeq = () =>
  int8("event_seq")
    .notNull()
    .references(() => events.seq);
const eventOrder = {
  eventTime: tstz("event_time").notNull(),
  eventId: text("event_id").notNull(),
};
/**
 * Where one row per key is kept, the source of its event too: two events equal in time and
 * id from different sources are told apart by it (the greater, in byte order, wins). Null on
 * rows stored before migration 0030, whose source is then read from their event.
 */
const supersedingOrder = {
  ...eventOrder,
  eventSource: text("event_source"),
};

export const usageCheckpoints = pgTable(
  "usage_checkpoints",
  {
    source: text("source").notNull(),
    entity: text("entity").notNull(),
    meter: text("meter").notNull(),
    windowStart: tstz("window_start").notNull(),
    windowEnd: tstz("window_end").notNull(),
    expectedCount: int8("expected_count").notNull(),
    receivedCount: int8("received_count").notNull(),
    rejectedCount: int8("rejected_count"),
    /** The meter's price per usage record (a decimal string) where the telemetry gives one. */
    unitPrice: numeric("unit_price"),
    priceCurrency: text("price_currency"),
    eventSeq: eventSeq(),
    ...eventOrder,
  },
  (t) => [
    primaryKey({ columns: [t.source, t.entity, t.meter, t.windowStart, t.windowEnd] }),
    // Covers the completeness KPI (bench/kpis.ts): an index-only scan over the range.
    index("usage_checkpoints_window_end_idx").on(
      t.windowEnd,
      t.entity,
      t.source,
      t.meter,
      t.expectedCount,
      t.receivedCount,
    ),
    index("usage_checkpoints_event_seq_idx").on(t.eventSeq),
  ],
);

/** The sums every usage completeness rollup keeps per key (see usage_completeness_days). */
const usageSums = () => ({
  shard: rollupShard(),
  checkpoints: int8("checkpoints").notNull(),
  expected: int8("expected").notNull(),
  received: int8("received").notNull(),
  missing: int8("missing").notNull(),
});

/**
 * The usage checkpoints summed per UTC day of their window end, entity, source and meter,
 * kept exact by triggers on `usage_checkpoints` (migration 0014) whoever writes, supersedes
 * or deletes checkpoints. Usage completeness over a month reads ~30 days here and only the
 * part-days at either end from the checkpoints (db/queries/usage-completeness.ts).
 * `missing` is Σ max(expected − received, 0) per checkpoint, not expected − received;
 * `checkpoints` counts the rows so that a day whose last checkpoint went can go too.
 */
export const usageCompletenessDays = pgTable(
  "usage_completeness_days",
  {
    day: utcDay("day").notNull(),
    entity: text("entity").notNull(),
    source: text("source").notNull(),
    meter: text("meter").notNull(),
    ...usageSums(),
  },
  (t) => [
    primaryKey({ columns: [t.day, t.entity, t.source, t.meter, t.shard] }),
    // The same key with the sums: a month is read from the index alone. From the table it
    // was a page per row wherever a day's rows lay scattered (bench/README.md, 50 M rows).
    index("usage_completeness_days_read_idx").on(
      t.day,
      t.entity,
      t.source,
      t.meter,
      t.checkpoints,
      t.expected,
      t.received,
      t.missing,
    ),
  ],
);

/**
 * The same sums per calendar month (UTC) of window end, entity, source and meter, kept from
 * usage_completeness_days by a trigger (migration 0023): the source × meter breakdown over a
 * month reads the month containing most of it, less the days outside the range, instead of
 * ~30 days of rows per series (db/queries/whole-days.ts).
 */
export const usageCompletenessMonths = pgTable(
  "usage_completeness_months",
  {
    month: utcDay("month").notNull(),
    entity: text("entity").notNull(),
    source: text("source").notNull(),
    meter: text("meter").notNull(),
    ...usageSums(),
  },
  (t) => [primaryKey({ columns: [t.month, t.entity, t.source, t.meter, t.shard] })],
);

/**
 * The same sums per day and entity only, kept from usage_completeness_days by a trigger
 * (migration 0017): the headline, series and per-entity numbers read a few rows a day
 * however many sources and meters report, the source × meter breakdown the finer table.
 */
export const usageCompletenessEntityDays = pgTable(
  "usage_completeness_entity_days",
  {
    day: utcDay("day").notNull(),
    entity: text("entity").notNull(),
    ...usageSums(),
  },
  (t) => [primaryKey({ columns: [t.day, t.entity, t.shard] })],
);

export const invoices = pgTable(
  "invoices",
  {
    invoiceId: text("invoice_id").primaryKey(),
    source: text("source").notNull(),
    customerId: text("customer_id").notNull(),
    entity: text("entity").notNull(),
    currency: text("currency").notNull(),
    amountMinor: int8("amount_minor").notNull(),
    ...periodSpan(),
    issuedAt: tstz("issued_at").notNull(),
    eventSeq: eventSeq(),
    ...eventOrder,
    /** The invoice latency KPI's value, issuedAt − periodEnd in ms (docs/kpis.md). */
    latencyMs: doublePrecision("latency_ms").generatedAlwaysAs(
      millisBetween(sql`issued_at`, sql`period_end`),
    ),
  },
  (t) => [
    // The KPI reads a month by time and by entity from these alone (index-only scans).
    index("invoices_issued_at_idx").on(t.issuedAt, t.entity, t.latencyMs),
    index("invoices_entity_issued_idx").on(t.entity, t.issuedAt, t.latencyMs),
    index("invoices_customer_idx").on(t.customerId),
    index("invoices_event_seq_idx").on(t.eventSeq),
  ],
);

export const invoiceDisputes = pgTable(
  "invoice_disputes",
  {
    eventSeq: eventSeq().primaryKey(),
    invoiceId: text("invoice_id").notNull(),
    reason: text("reason").notNull(),
    amountMinor: int8("amount_minor"),
    ...eventOrder,
  },
  (t) => [index("invoice_disputes_invoice_idx").on(t.invoiceId)],
);

export const erpPostingAttempts = pgTable(
  "erp_posting_attempts",
  {
    postingId: text("posting_id").notNull(),
    attempt: int8("attempt").notNull(),
    invoiceId: text("invoice_id").notNull(),
    entity: text("entity").notNull(),
    status: text("status", { enum: ["succeeded", "failed"] }).notNull(),
    attemptedAt: tstz("attempted_at").notNull(),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    eventSeq: eventSeq(),
    ...supersedingOrder,
  },
  (t) => [
    primaryKey({ columns: [t.postingId, t.attempt] }),
    // With posting_id, the postings with an attempt in a range come from the index alone.
    index("erp_posting_attempts_attempted_idx").on(t.attemptedAt, t.postingId),
    index("erp_posting_attempts_invoice_idx").on(t.invoiceId),
    index("erp_posting_attempts_event_seq_idx").on(t.eventSeq),
  ],
);

export const payments = pgTable(
  "payments",
  {
    paymentId: text("payment_id").primaryKey(),
    customerId: text("customer_id").notNull(),
    invoiceId: text("invoice_id"),
    /** The entity the payment names itself; its invoice's, when it names a known one, wins. */
    entity: text("entity"),
    currency: text("currency").notNull(),
    amountMinor: int8("amount_minor").notNull(),
    receivedAt: tstz("received_at").notNull(),
    eventSeq: eventSeq(),
    ...supersedingOrder,
  },
  (t) => [
    index("payments_received_at_idx").on(t.receivedAt),
    // The revenue thread: an invoice's payments, a customer's latest (db/queries/thread.ts).
    index("payments_invoice_idx").on(t.invoiceId),
    index("payments_customer_idx").on(t.customerId, t.receivedAt),
    index("payments_event_seq_idx").on(t.eventSeq),
  ],
);

export const entitlementUpdates = pgTable(
  "entitlement_updates",
  {
    eventSeq: eventSeq().primaryKey(),
    customerId: text("customer_id").notNull(),
    status: text("status", { enum: ["active", "restricted", "suspended"] }).notNull(),
    paymentId: text("payment_id"),
    updatedAt: tstz("updated_at").notNull(),
    ...eventOrder,
  },
  (t) => [
    index("entitlement_updates_payment_idx").on(t.paymentId, t.updatedAt),
    index("entitlement_updates_customer_idx").on(t.customerId, t.updatedAt),
  ],
);

export const reconciliationResults = pgTable(
  "reconciliation_results",
  {
    runId: text("run_id").notNull(),
    key: text("key").notNull(),
    kind: text("kind", {
      enum: ["usage_vs_billing", "billing_vs_erp", "payments_vs_ar"],
    }).notNull(),
    entity: text("entity").notNull(),
    ...periodSpan(),
    currency: text("currency").notNull(),
    expectedMinor: int8("expected_minor").notNull(),
    actualMinor: int8("actual_minor").notNull(),
    toleranceMinor: int8("tolerance_minor").notNull().default(0),
    eventSeq: eventSeq(),
    ...supersedingOrder,
  },
  (t) => [
    primaryKey({ columns: [t.runId, t.key] }),
    index("reconciliation_results_period_end_idx").on(t.periodEnd),
    index("reconciliation_results_event_seq_idx").on(t.eventSeq),
  ],
);

export const contractAmendments = pgTable(
  "contract_amendments",
  {
    eventSeq: eventSeq().primaryKey(),
    contractId: text("contract_id").notNull(),
    customerId: text("customer_id").notNull(),
    entity: text("entity").notNull(),
    effectiveFrom: tstz("effective_from").notNull(),
    amendedAt: tstz("amended_at").notNull(),
    currency: text("currency").notNull(),
    amountImpactMinor: int8("amount_impact_minor").notNull(),
    ...eventOrder,
  },
  (t) => [
    index("contract_amendments_contract_idx").on(t.contractId),
    // A customer's amendments on their thread (db/queries/thread.ts).
    index("contract_amendments_customer_idx").on(t.customerId, t.amendedAt),
  ],
);

/**
 * What a target system reported after carrying out an approved correction
 * (`correction.executed`): the confirmation that closes the corrected exception, or the
 * failure that hands it back to people. One row per report; the latest counts.
 */
export const correctionExecutions = pgTable(
  "correction_executions",
  {
    eventSeq: eventSeq().primaryKey(),
    correctionId: uuid("correction_id").notNull(),
    status: text("status", { enum: ["executed", "failed"] }).notNull(),
    executedAt: tstz("executed_at").notNull(),
    documentRef: text("document_ref"),
    errorMessage: text("error_message"),
    ...eventOrder,
  },
  (t) => [index("correction_executions_correction_idx").on(t.correctionId, t.eventTime)],
);
