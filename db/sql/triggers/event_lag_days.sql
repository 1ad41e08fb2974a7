-- This table's triggers after all migrations, as PostgreSQL renders them. Change them with a
-- migration, then `npm run db:functions` rewrites this file (db/sql/README.md).

CREATE TRIGGER event_lag_months_delete AFTER DELETE ON public.event_lag_days REFERENCING OLD TABLE AS event_lag_rollup_old FOR EACH STATEMENT EXECUTE FUNCTION event_lag_months_apply();
CREATE TRIGGER event_lag_months_insert AFTER INSERT ON public.event_lag_days REFERENCING NEW TABLE AS event_lag_rollup_new FOR EACH STATEMENT EXECUTE FUNCTION event_lag_months_apply();
CREATE TRIGGER event_lag_months_truncate AFTER TRUNCATE ON public.event_lag_days FOR EACH STATEMENT EXECUTE FUNCTION event_lag_months_clear();
CREATE TRIGGER event_lag_months_update AFTER UPDATE ON public.event_lag_days REFERENCING OLD TABLE AS event_lag_rollup_old NEW TABLE AS event_lag_rollup_new FOR EACH STATEMENT EXECUTE FUNCTION event_lag_months_apply();
