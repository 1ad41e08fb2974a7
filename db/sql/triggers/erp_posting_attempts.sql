-- This table's triggers, recreated at start whenever the database's differ (db/sql/README.md).
-- Keep them as PostgreSQL renders them: `npm run db:functions` rewrites them so.

CREATE TRIGGER erp_postings_on_attempts_delete AFTER DELETE ON public.erp_posting_attempts REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION closeline_refresh_changed('erp_postings_refresh', 'posting_id', 'invoice_id');
CREATE TRIGGER erp_postings_on_attempts_insert AFTER INSERT ON public.erp_posting_attempts REFERENCING NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION closeline_refresh_changed('erp_postings_refresh', 'posting_id', 'invoice_id');
CREATE TRIGGER erp_postings_on_attempts_update AFTER UPDATE ON public.erp_posting_attempts REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION closeline_refresh_changed('erp_postings_refresh', 'posting_id', 'invoice_id');
CREATE TRIGGER kpi_summaries_on_attempts_truncate AFTER TRUNCATE ON public.erp_posting_attempts FOR EACH STATEMENT EXECUTE FUNCTION kpi_summaries_rebuild_trigger();
