-- This table's triggers, recreated at start whenever the database's differ (db/sql/README.md).
-- Keep them as PostgreSQL renders them: `npm run db:functions` rewrites them so.

CREATE TRIGGER kpi_summaries_on_invoices_delete AFTER DELETE ON public.invoices REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION kpi_summaries_invoices_changed();
CREATE TRIGGER kpi_summaries_on_invoices_insert AFTER INSERT ON public.invoices REFERENCING NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION kpi_summaries_invoices_changed();
CREATE TRIGGER kpi_summaries_on_invoices_truncate AFTER TRUNCATE ON public.invoices FOR EACH STATEMENT EXECUTE FUNCTION kpi_summaries_rebuild_trigger();
CREATE TRIGGER kpi_summaries_on_invoices_update AFTER UPDATE ON public.invoices REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION kpi_summaries_invoices_changed();
