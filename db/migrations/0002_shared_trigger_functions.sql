-- The trigger functions that were one per table, alike but for names, become two shared
-- ones: closeline_refresh_changed (its arguments name the summary's refresh function and the
-- key column) and closeline_refuse_change (the table's name is in its message). They and the
-- triggers that execute them are db/sql's, applied in this migration's transaction right
-- after the migrations (db/migrate.ts), so no table is ever without its triggers; this
-- migration drops the old functions, with the triggers that execute them, which the start
-- never does. The start then replaces triggers on the projection tables, and 0003 fills a
-- table from events: events is taken first, in ingestion's order (docs/reliability.md), or a
-- batch in flight and the upgrade deadlock.
LOCK TABLE "events" IN SHARE ROW EXCLUSIVE MODE;
--> statement-breakpoint
DROP FUNCTION IF EXISTS erp_postings_attempts_changed() CASCADE;
--> statement-breakpoint
DROP FUNCTION IF EXISTS payment_syncs_payments_changed() CASCADE;
--> statement-breakpoint
DROP FUNCTION IF EXISTS payment_syncs_entitlements_changed() CASCADE;
--> statement-breakpoint
DROP FUNCTION IF EXISTS audit_log_refuse_change() CASCADE;
--> statement-breakpoint
DROP FUNCTION IF EXISTS exception_comments_refuse_change() CASCADE;
