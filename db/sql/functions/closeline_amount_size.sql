-- The current definition after all migrations, as PostgreSQL renders it. Change it with a
-- migration, then `npm run db:functions` rewrites this file (db/sql/README.md).

CREATE OR REPLACE FUNCTION public.closeline_amount_size(amount_minor bigint, currency text)
 RETURNS numeric
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  SELECT CASE WHEN amount_minor IS NULL THEN -1::numeric
    ELSE abs(amount_minor)::numeric / (10::numeric ^ public.closeline_currency_digits(currency)) END
$function$;
