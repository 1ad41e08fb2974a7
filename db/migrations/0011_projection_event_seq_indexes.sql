CREATE INDEX "erp_posting_attempts_event_seq_idx" ON "erp_posting_attempts" USING btree ("event_seq");--> statement-breakpoint
CREATE INDEX "invoices_event_seq_idx" ON "invoices" USING btree ("event_seq");--> statement-breakpoint
CREATE INDEX "payments_event_seq_idx" ON "payments" USING btree ("event_seq");--> statement-breakpoint
CREATE INDEX "reconciliation_results_event_seq_idx" ON "reconciliation_results" USING btree ("event_seq");--> statement-breakpoint
CREATE INDEX "usage_checkpoints_event_seq_idx" ON "usage_checkpoints" USING btree ("event_seq");