-- This table's triggers after all migrations, as PostgreSQL renders them. Change them with a
-- migration, then `npm run db:functions` rewrites this file (db/sql/README.md).

CREATE TRIGGER exception_comments_no_truncate BEFORE TRUNCATE ON public.exception_comments FOR EACH STATEMENT EXECUTE FUNCTION exception_comments_refuse_change();
CREATE TRIGGER exception_comments_no_update_delete BEFORE DELETE OR UPDATE ON public.exception_comments FOR EACH ROW EXECUTE FUNCTION exception_comments_refuse_change();
