-- This table's triggers, recreated at start whenever the database's differ (db/sql/README.md).
-- Keep them as PostgreSQL renders them: `npm run db:functions` rewrites them so.

CREATE TRIGGER events_lag_day_stats_truncate AFTER TRUNCATE ON public.events FOR EACH STATEMENT EXECUTE FUNCTION event_lag_day_stats_clear();
CREATE TRIGGER events_lag_day_versions_delete AFTER DELETE ON public.events REFERENCING OLD TABLE AS event_lag_old FOR EACH STATEMENT EXECUTE FUNCTION event_lag_day_versions_bump();
CREATE TRIGGER events_lag_day_versions_insert AFTER INSERT ON public.events REFERENCING NEW TABLE AS event_lag_new FOR EACH STATEMENT EXECUTE FUNCTION event_lag_day_versions_bump();
CREATE TRIGGER events_lag_day_versions_update AFTER UPDATE ON public.events REFERENCING OLD TABLE AS event_lag_old NEW TABLE AS event_lag_new FOR EACH STATEMENT EXECUTE FUNCTION event_lag_day_versions_bump();
CREATE TRIGGER events_lag_days_delete AFTER DELETE ON public.events REFERENCING OLD TABLE AS event_lag_old FOR EACH STATEMENT EXECUTE FUNCTION event_lag_days_apply();
CREATE TRIGGER events_lag_days_insert AFTER INSERT ON public.events REFERENCING NEW TABLE AS event_lag_new FOR EACH STATEMENT EXECUTE FUNCTION event_lag_days_apply();
CREATE TRIGGER events_lag_days_truncate AFTER TRUNCATE ON public.events FOR EACH STATEMENT EXECUTE FUNCTION event_lag_days_clear();
CREATE TRIGGER events_lag_days_update AFTER UPDATE ON public.events REFERENCING OLD TABLE AS event_lag_old NEW TABLE AS event_lag_new FOR EACH STATEMENT EXECUTE FUNCTION event_lag_days_apply();
CREATE TRIGGER events_lag_value_days_delete AFTER DELETE ON public.events REFERENCING OLD TABLE AS event_lag_old FOR EACH STATEMENT EXECUTE FUNCTION event_lag_value_days_apply();
CREATE TRIGGER events_lag_value_days_insert AFTER INSERT ON public.events REFERENCING NEW TABLE AS event_lag_new FOR EACH STATEMENT EXECUTE FUNCTION event_lag_value_days_apply();
CREATE TRIGGER events_lag_value_days_update AFTER UPDATE ON public.events REFERENCING OLD TABLE AS event_lag_old NEW TABLE AS event_lag_new FOR EACH STATEMENT EXECUTE FUNCTION event_lag_value_days_apply();
CREATE TRIGGER events_summary_keys_insert AFTER INSERT ON public.events REFERENCING NEW TABLE AS summary_keys_new FOR EACH STATEMENT EXECUTE FUNCTION kpi_summaries_events_lock();
