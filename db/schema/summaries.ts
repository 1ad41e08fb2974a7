import { sql } from "drizzle-orm";
import { boolean, doublePrecision, index, pgTable, text } from "drizzle-orm/pg-core";
import { tstz, int8 } from "./columns";
import { millisBetween } from "./durations";

/*
 * Per-record summaries the KPIs read instead of joining and grouping the projections for
 * every request. Each is recomputed from its sources for exactly the keys a statement
 * touched, by statement-level triggers (migration 0015), under the ingestion lock, so
 * it is never stale after a commit, whoever wrote the sources (ingestion, retention, an
 * operator) and in whatever order the events arrived.
 */

/** One row per ERP posting: what its attempts add up to (docs/kpis.md, ERP posting). */
export const erpPostings = pgTable(
  "erp_postings",
  {
    postingId: text("posting_id").primaryKey(),
    /** Entity, invoice and time of the first attempt (the lowest attempt number). */
    entity: text("entity").notNull(),
    invoiceId: text("invoice_id").notNull(),
    firstAttemptedAt: tstz("first_attempted_at").notNull(),
    /** Attempt 1 itself succeeded. */
    firstPass: boolean("first_pass").notNull(),
    eventually: boolean("eventually").notNull(),
    /** The latest attempt failed. */
    openFailure: boolean("open_failure").notNull(),
    firstSuccessAt: tstz("first_success_at"),
    attempts: int8("attempts").notNull(),
    failures: int8("failures").notNull(),
    /** The invoice's issuedAt, null until the invoice is known. */
    invoiceIssuedAt: tstz("invoice_issued_at"),
    /** Posting latency, first success − the invoice's issuedAt in ms; null until both exist. */
    latencyMs: doublePrecision("latency_ms").generatedAlwaysAs(
      millisBetween(sql`first_success_at`, sql`invoice_issued_at`),
    ),
  },
  (t) => {
    // What the ERP posting KPI reads, by time and by entity, from the index alone.
    const measures = [t.firstPass, t.eventually, t.openFailure, t.latencyMs] as const;
    return [
      index("erp_postings_first_attempted_idx").on(t.firstAttemptedAt, t.entity, ...measures),
      index("erp_postings_entity_first_attempted_idx").on(
        t.entity,
        t.firstAttemptedAt,
        ...measures,
      ),
      index("erp_postings_invoice_idx").on(t.invoiceId),
      index("erp_postings_failed_idx")
        .on(t.firstAttemptedAt)
        .where(sql`${t.failures} > 0`),
    ];
  },
);

/** One row per payment: its entity (the paid invoice's) and its first entitlement update. */
export const paymentSyncs = pgTable(
  "payment_syncs",
  {
    paymentId: text("payment_id").primaryKey(),
    receivedAt: tstz("received_at").notNull(),
    invoiceId: text("invoice_id"),
    entity: text("entity"),
    firstUpdateAt: tstz("first_update_at"),
    /** Payment-to-entitlement sync time in ms; null while no update names the payment. */
    syncMs: doublePrecision("sync_ms").generatedAlwaysAs(
      millisBetween(sql`first_update_at`, sql`received_at`),
    ),
  },
  (t) => [
    // What the sync KPI reads, by time and by entity, from the index alone.
    index("payment_syncs_received_idx").on(t.receivedAt, t.entity, t.firstUpdateAt, t.syncMs),
    index("payment_syncs_entity_received_idx").on(
      t.entity,
      t.receivedAt,
      t.firstUpdateAt,
      t.syncMs,
    ),
    index("payment_syncs_invoice_idx").on(t.invoiceId),
  ],
);
