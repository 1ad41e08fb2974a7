-- This table's triggers, recreated at start whenever the database's differ (db/sql/README.md).
-- Keep them as PostgreSQL renders them: `npm run db:functions` rewrites them so.

CREATE TRIGGER event_lag_months_delete AFTER DELETE ON public.event_lag_days REFERENCING OLD TABLE AS event_lag_rollup_old FOR EACH STATEMENT EXECUTE FUNCTION event_lag_months_apply();
CREATE TRIGGER event_lag_months_insert AFTER INSERT ON public.event_lag_days REFERENCING NEW TABLE AS event_lag_rollup_new FOR EACH STATEMENT EXECUTE FUNCTION event_lag_months_apply();
CREATE TRIGGER event_lag_months_truncate AFTER TRUNCATE ON public.event_lag_days FOR EACH STATEMENT EXECUTE FUNCTION event_lag_months_clear();
CREATE TRIGGER event_lag_months_update AFTER UPDATE ON public.event_lag_days REFERENCING OLD TABLE AS event_lag_rollup_old NEW TABLE AS event_lag_rollup_new FOR EACH STATEMENT EXECUTE FUNCTION event_lag_months_apply();
