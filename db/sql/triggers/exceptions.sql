-- This table's triggers, recreated at start whenever the database's differ (db/sql/README.md).
-- Keep them as PostgreSQL renders them: `npm run db:functions` rewrites them so.

CREATE TRIGGER exceptions_reporting_amount BEFORE INSERT OR UPDATE OF amount_minor, currency, opened_at ON public.exceptions FOR EACH ROW EXECUTE FUNCTION closeline_exceptions_reporting_amount();
