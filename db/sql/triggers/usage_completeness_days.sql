-- This table's triggers, recreated at start whenever the database's differ (db/sql/README.md).
-- Keep them as PostgreSQL renders them: `npm run db:functions` rewrites them so.

CREATE TRIGGER usage_completeness_entity_days_delete AFTER DELETE ON public.usage_completeness_days REFERENCING OLD TABLE AS usage_rollup_old FOR EACH STATEMENT EXECUTE FUNCTION usage_completeness_entity_days_apply();
CREATE TRIGGER usage_completeness_entity_days_insert AFTER INSERT ON public.usage_completeness_days REFERENCING NEW TABLE AS usage_rollup_new FOR EACH STATEMENT EXECUTE FUNCTION usage_completeness_entity_days_apply();
CREATE TRIGGER usage_completeness_entity_days_truncate AFTER TRUNCATE ON public.usage_completeness_days FOR EACH STATEMENT EXECUTE FUNCTION usage_completeness_entity_days_clear();
CREATE TRIGGER usage_completeness_entity_days_update AFTER UPDATE ON public.usage_completeness_days REFERENCING OLD TABLE AS usage_rollup_old NEW TABLE AS usage_rollup_new FOR EACH STATEMENT EXECUTE FUNCTION usage_completeness_entity_days_apply();
CREATE TRIGGER usage_completeness_months_delete AFTER DELETE ON public.usage_completeness_days REFERENCING OLD TABLE AS usage_months_rollup_old FOR EACH STATEMENT EXECUTE FUNCTION usage_completeness_months_apply();
CREATE TRIGGER usage_completeness_months_insert AFTER INSERT ON public.usage_completeness_days REFERENCING NEW TABLE AS usage_months_rollup_new FOR EACH STATEMENT EXECUTE FUNCTION usage_completeness_months_apply();
CREATE TRIGGER usage_completeness_months_truncate AFTER TRUNCATE ON public.usage_completeness_days FOR EACH STATEMENT EXECUTE FUNCTION usage_completeness_months_clear();
CREATE TRIGGER usage_completeness_months_update AFTER UPDATE ON public.usage_completeness_days REFERENCING OLD TABLE AS usage_months_rollup_old NEW TABLE AS usage_months_rollup_new FOR EACH STATEMENT EXECUTE FUNCTION usage_completeness_months_apply();
