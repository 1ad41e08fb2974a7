-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.closeline_amount_size(amount_minor bigint, currency text)
 RETURNS numeric
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  SELECT CASE WHEN amount_minor IS NULL THEN -1::numeric
    ELSE abs(amount_minor)::numeric / (10::numeric ^ public.closeline_currency_digits(currency)) END
$function$;
