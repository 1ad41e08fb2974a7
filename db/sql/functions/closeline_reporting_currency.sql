-- The current definition after all migrations, as PostgreSQL renders it. Change it with a
-- migration, then `npm run db:functions` rewrites this file (db/sql/README.md).

CREATE OR REPLACE FUNCTION public.closeline_reporting_currency()
 RETURNS text
 LANGUAGE sql
 STABLE
AS $function$
  -- The admin setting (lib/money/reporting-currency.ts), USD until one is saved.
  SELECT coalesce((SELECT s.value->>'currency' FROM public.settings s WHERE s.key = 'reporting-currency'), 'USD')
$function$;
