-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.closeline_severity(amount_minor bigint, currency text, opened_at timestamp with time zone, at_time timestamp with time zone)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE
AS $function$
  SELECT (ARRAY['low', 'medium', 'high', 'critical'])[1 + least(3,
    CASE
      WHEN amount_minor IS NULL THEN 1
      WHEN abs(amount_minor) >= 100000 * power(10, closeline_currency_digits(currency)) THEN 3
      WHEN abs(amount_minor) >= 10000 * power(10, closeline_currency_digits(currency)) THEN 2
      WHEN abs(amount_minor) >= 1000 * power(10, closeline_currency_digits(currency)) THEN 1
      ELSE 0
    END
    + CASE
      WHEN at_time - opened_at > interval '7 days' THEN 2
      WHEN at_time - opened_at > interval '3 days' THEN 1
      ELSE 0
    END)]
$function$;
