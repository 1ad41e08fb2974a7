-- This table's triggers after all migrations, as PostgreSQL renders them. Change them with a
-- migration, then `npm run db:functions` rewrites this file (db/sql/README.md).

CREATE TRIGGER exceptions_reporting_amount BEFORE INSERT OR UPDATE OF amount_minor, currency, opened_at ON public.exceptions FOR EACH ROW EXECUTE FUNCTION closeline_exceptions_reporting_amount();
