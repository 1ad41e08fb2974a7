-- This table's triggers, recreated at start whenever the database's differ (db/sql/README.md).
-- Keep them as PostgreSQL renders them: `npm run db:functions` rewrites them so.

CREATE TRIGGER usage_checkpoints_completeness_days_delete AFTER DELETE ON public.usage_checkpoints REFERENCING OLD TABLE AS usage_completeness_old FOR EACH STATEMENT EXECUTE FUNCTION usage_completeness_days_apply();
CREATE TRIGGER usage_checkpoints_completeness_days_insert AFTER INSERT ON public.usage_checkpoints REFERENCING NEW TABLE AS usage_completeness_new FOR EACH STATEMENT EXECUTE FUNCTION usage_completeness_days_apply();
CREATE TRIGGER usage_checkpoints_completeness_days_truncate AFTER TRUNCATE ON public.usage_checkpoints FOR EACH STATEMENT EXECUTE FUNCTION usage_completeness_days_clear();
CREATE TRIGGER usage_checkpoints_completeness_days_update AFTER UPDATE ON public.usage_checkpoints REFERENCING OLD TABLE AS usage_completeness_old NEW TABLE AS usage_completeness_new FOR EACH STATEMENT EXECUTE FUNCTION usage_completeness_days_apply();
