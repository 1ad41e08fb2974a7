-- This table's triggers after all migrations, as PostgreSQL renders them. Change them with a
-- migration, then `npm run db:functions` rewrites this file (db/sql/README.md).

CREATE TRIGGER erp_postings_on_attempts_delete AFTER DELETE ON public.erp_posting_attempts REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION erp_postings_attempts_changed();
CREATE TRIGGER erp_postings_on_attempts_insert AFTER INSERT ON public.erp_posting_attempts REFERENCING NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION erp_postings_attempts_changed();
CREATE TRIGGER erp_postings_on_attempts_update AFTER UPDATE ON public.erp_posting_attempts REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION erp_postings_attempts_changed();
CREATE TRIGGER kpi_summaries_on_attempts_truncate AFTER TRUNCATE ON public.erp_posting_attempts FOR EACH STATEMENT EXECUTE FUNCTION kpi_summaries_rebuild_trigger();
