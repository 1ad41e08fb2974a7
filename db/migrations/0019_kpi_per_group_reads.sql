DROP INDEX "invoices_issued_at_idx";--> statement-breakpoint
DROP INDEX "erp_postings_first_attempted_idx";--> statement-breakpoint
DROP INDEX "payment_syncs_received_idx";--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "latency_ms" double precision GENERATED ALWAYS AS (((extract(epoch from (issued_at - period_end)) * 1000)::double precision)) STORED;--> statement-breakpoint
ALTER TABLE "erp_postings" ADD COLUMN "latency_ms" double precision GENERATED ALWAYS AS (((extract(epoch from (first_success_at - invoice_issued_at)) * 1000)::double precision)) STORED;--> statement-breakpoint
ALTER TABLE "payment_syncs" ADD COLUMN "sync_ms" double precision GENERATED ALWAYS AS (((extract(epoch from (first_update_at - received_at)) * 1000)::double precision)) STORED;--> statement-breakpoint
CREATE INDEX "invoices_entity_issued_idx" ON "invoices" USING btree ("entity","issued_at","latency_ms");--> statement-breakpoint
CREATE INDEX "erp_postings_entity_first_attempted_idx" ON "erp_postings" USING btree ("entity","first_attempted_at","first_pass","eventually","open_failure","latency_ms");--> statement-breakpoint
CREATE INDEX "payment_syncs_entity_received_idx" ON "payment_syncs" USING btree ("entity","received_at","first_update_at","sync_ms");--> statement-breakpoint
CREATE INDEX "invoices_issued_at_idx" ON "invoices" USING btree ("issued_at","entity","latency_ms");--> statement-breakpoint
CREATE INDEX "erp_postings_first_attempted_idx" ON "erp_postings" USING btree ("first_attempted_at","entity","first_pass","eventually","open_failure","latency_ms");--> statement-breakpoint
CREATE INDEX "payment_syncs_received_idx" ON "payment_syncs" USING btree ("received_at","entity","first_update_at","sync_ms");