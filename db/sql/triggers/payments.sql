-- This table's triggers, recreated at start whenever the database's differ (db/sql/README.md).
-- Keep them as PostgreSQL renders them: `npm run db:functions` rewrites them so.

CREATE TRIGGER kpi_summaries_on_payments_truncate AFTER TRUNCATE ON public.payments FOR EACH STATEMENT EXECUTE FUNCTION kpi_summaries_rebuild_trigger();
CREATE TRIGGER payment_syncs_on_payments_delete AFTER DELETE ON public.payments REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION closeline_refresh_changed('payment_syncs_refresh', 'payment_id', 'invoice_id');
CREATE TRIGGER payment_syncs_on_payments_insert AFTER INSERT ON public.payments REFERENCING NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION closeline_refresh_changed('payment_syncs_refresh', 'payment_id', 'invoice_id');
CREATE TRIGGER payment_syncs_on_payments_update AFTER UPDATE ON public.payments REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION closeline_refresh_changed('payment_syncs_refresh', 'payment_id', 'invoice_id');
