-- This table's triggers, recreated at start whenever the database's differ (db/sql/README.md).
-- Keep them as PostgreSQL renders them: `npm run db:functions` rewrites them so.

CREATE TRIGGER exception_comments_no_truncate BEFORE TRUNCATE ON public.exception_comments FOR EACH STATEMENT EXECUTE FUNCTION closeline_refuse_change();
CREATE TRIGGER exception_comments_no_update_delete BEFORE DELETE OR UPDATE ON public.exception_comments FOR EACH ROW EXECUTE FUNCTION closeline_refuse_change();
