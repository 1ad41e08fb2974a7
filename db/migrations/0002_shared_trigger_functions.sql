-- The trigger functions that were one per table, alike but for names, become two shared
-- ones: closeline_refresh_changed (its arguments name the summary's refresh function and the
-- key column) and closeline_refuse_change (the table's name is in its message). Functions and
-- triggers are db/sql's, applied at start after the migrations; this migration makes the swap
-- itself so that no table is ever without its triggers between the two transactions, and drops
-- the old functions, which the start never does. Its definitions are db/sql's, as rendered.
-- Pending migrations run in one transaction, and 0003 creates triggers on events after these
-- swaps on the projection tables: events is taken first, in ingestion's order
-- (docs/reliability.md), or a batch in flight and the upgrade deadlock.
LOCK TABLE "events" IN SHARE ROW EXCLUSIVE MODE;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION public.closeline_refresh_changed()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE
  -- The trigger's arguments: the function that rebuilds the summary rows of some keys
  -- (erp_postings_refresh, payment_syncs_refresh), then the changed rows' column holding the
  -- key. A transition table exists only for the operations its trigger names, hence the cases.
  changed text := CASE TG_OP
    WHEN 'INSERT' THEN format('SELECT %I FROM changed_new', TG_ARGV[1])
    WHEN 'DELETE' THEN format('SELECT %I FROM changed_old', TG_ARGV[1])
    ELSE format('SELECT %1$I FROM changed_new UNION SELECT %1$I FROM changed_old', TG_ARGV[1])
  END;
BEGIN
  -- The ingestion lock first, as every trigger that keeps a KPI table takes it.
  PERFORM pg_advisory_xact_lock(7340003);
  -- A row naming no key (an entitlement update without a payment) has no summary to refresh.
  EXECUTE format('SELECT %I(ARRAY(SELECT DISTINCT k FROM (%s) c(k) WHERE k IS NOT NULL))',
    TG_ARGV[0], changed);
  RETURN NULL;
END;
$function$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION public.closeline_refuse_change()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  -- Guards an append-only table (audit_log, exception_comments): a row is part of the record.
  RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$function$;
--> statement-breakpoint
CREATE OR REPLACE TRIGGER erp_postings_on_attempts_delete AFTER DELETE ON public.erp_posting_attempts REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION closeline_refresh_changed('erp_postings_refresh', 'posting_id');
--> statement-breakpoint
CREATE OR REPLACE TRIGGER erp_postings_on_attempts_insert AFTER INSERT ON public.erp_posting_attempts REFERENCING NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION closeline_refresh_changed('erp_postings_refresh', 'posting_id');
--> statement-breakpoint
CREATE OR REPLACE TRIGGER erp_postings_on_attempts_update AFTER UPDATE ON public.erp_posting_attempts REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION closeline_refresh_changed('erp_postings_refresh', 'posting_id');
--> statement-breakpoint
CREATE OR REPLACE TRIGGER payment_syncs_on_payments_delete AFTER DELETE ON public.payments REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION closeline_refresh_changed('payment_syncs_refresh', 'payment_id');
--> statement-breakpoint
CREATE OR REPLACE TRIGGER payment_syncs_on_payments_insert AFTER INSERT ON public.payments REFERENCING NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION closeline_refresh_changed('payment_syncs_refresh', 'payment_id');
--> statement-breakpoint
CREATE OR REPLACE TRIGGER payment_syncs_on_payments_update AFTER UPDATE ON public.payments REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION closeline_refresh_changed('payment_syncs_refresh', 'payment_id');
--> statement-breakpoint
CREATE OR REPLACE TRIGGER payment_syncs_on_entitlements_delete AFTER DELETE ON public.entitlement_updates REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION closeline_refresh_changed('payment_syncs_refresh', 'payment_id');
--> statement-breakpoint
CREATE OR REPLACE TRIGGER payment_syncs_on_entitlements_insert AFTER INSERT ON public.entitlement_updates REFERENCING NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION closeline_refresh_changed('payment_syncs_refresh', 'payment_id');
--> statement-breakpoint
CREATE OR REPLACE TRIGGER payment_syncs_on_entitlements_update AFTER UPDATE ON public.entitlement_updates REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION closeline_refresh_changed('payment_syncs_refresh', 'payment_id');
--> statement-breakpoint
CREATE OR REPLACE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON public.audit_log FOR EACH STATEMENT EXECUTE FUNCTION closeline_refuse_change();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER audit_log_no_update_delete BEFORE DELETE OR UPDATE ON public.audit_log FOR EACH ROW EXECUTE FUNCTION closeline_refuse_change();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER exception_comments_no_truncate BEFORE TRUNCATE ON public.exception_comments FOR EACH STATEMENT EXECUTE FUNCTION closeline_refuse_change();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER exception_comments_no_update_delete BEFORE DELETE OR UPDATE ON public.exception_comments FOR EACH ROW EXECUTE FUNCTION closeline_refuse_change();
--> statement-breakpoint
DROP FUNCTION IF EXISTS erp_postings_attempts_changed();
--> statement-breakpoint
DROP FUNCTION IF EXISTS payment_syncs_payments_changed();
--> statement-breakpoint
DROP FUNCTION IF EXISTS payment_syncs_entitlements_changed();
--> statement-breakpoint
DROP FUNCTION IF EXISTS audit_log_refuse_change();
--> statement-breakpoint
DROP FUNCTION IF EXISTS exception_comments_refuse_change();
