-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.closeline_reporting_currency()
 RETURNS text
 LANGUAGE sql
 STABLE
AS $function$
  -- The admin setting (lib/money/reporting-currency.ts), USD until one is saved.
  SELECT coalesce((SELECT s.value->>'currency' FROM public.settings s WHERE s.key = 'reporting-currency'), 'USD')
$function$;
