-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.closeline_exceptions_reporting_amount()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  -- Every write of an exception's amount, currency or opening converts it again; a new rate
  -- or reporting currency converts the rows it bears on (db/queries/fx.ts).
  SELECT r.reporting_currency, r.rate, r.rate_date, r.reporting_minor
    INTO NEW.reporting_currency, NEW.reporting_rate, NEW.reporting_rate_date, NEW.reporting_amount_minor
    FROM public.closeline_reporting_amount(NEW.amount_minor, NEW.currency, NEW.opened_at) r;
  RETURN NEW;
END
$function$;
