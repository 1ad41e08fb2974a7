-- The current definition after all migrations, as PostgreSQL renders it. Change it with a
-- migration, then `npm run db:functions` rewrites this file (db/sql/README.md).

CREATE OR REPLACE FUNCTION public.closeline_reporting_amount(amount_minor bigint, currency text, at timestamp with time zone, OUT reporting_currency text, OUT rate numeric, OUT rate_date date, OUT reporting_minor bigint)
 RETURNS record
 LANGUAGE sql
 STABLE
AS $function$
  -- An amount in the reporting currency at the rate in effect on the UTC day of `at`: the
  -- latest rate effective on or before it. The same currency is itself at rate 1; no amount,
  -- or no rate in effect, leaves the converted amount null (unknown, never guessed).
  WITH rep AS (SELECT public.closeline_reporting_currency() AS code),
  found AS (
    SELECT f.rate, f.effective_date FROM public.fx_rates f, rep
    WHERE f.currency = $2 AND f.reporting_currency = rep.code
      AND f.effective_date <= ($3 AT TIME ZONE 'UTC')::date
    ORDER BY f.effective_date DESC LIMIT 1
  )
  SELECT rep.code,
    CASE WHEN $1 IS NULL OR $2 IS NULL THEN NULL WHEN $2 = rep.code THEN 1::numeric ELSE found.rate END,
    CASE WHEN $1 IS NULL OR $2 IS NULL OR $2 = rep.code THEN NULL ELSE found.effective_date END,
    CASE WHEN $1 IS NULL OR $2 IS NULL THEN NULL WHEN $2 = rep.code THEN $1
      ELSE public.closeline_fx_apply($1, $2, rep.code, found.rate) END
  FROM rep LEFT JOIN found ON true
$function$;
