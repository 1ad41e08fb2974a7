DROP INDEX "events_received_at_idx";--> statement-breakpoint
DROP INDEX "erp_posting_attempts_attempted_idx";--> statement-breakpoint
DROP INDEX "usage_checkpoints_window_end_idx";--> statement-breakpoint
CREATE INDEX "events_received_at_idx" ON "events" USING btree ("received_at","time");--> statement-breakpoint
CREATE INDEX "erp_posting_attempts_attempted_idx" ON "erp_posting_attempts" USING btree ("attempted_at","posting_id");--> statement-breakpoint
CREATE INDEX "usage_checkpoints_window_end_idx" ON "usage_checkpoints" USING btree ("window_end","entity","source","meter","expected_count","received_count");