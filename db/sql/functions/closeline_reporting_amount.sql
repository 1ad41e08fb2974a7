-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.closeline_reporting_amount(amount_minor bigint, currency text, at timestamp with time zone, OUT reporting_currency text, OUT rate numeric, OUT rate_date date, OUT reporting_minor bigint)
 RETURNS record
 LANGUAGE plpgsql
 STABLE
AS $function$
DECLARE
  rep text := public.closeline_reporting_currency();
  found_rate numeric;
  found_day date;
BEGIN
  -- An amount in the reporting currency at the rate in effect on the UTC day of `at`: the
  -- latest rate effective on or before it. The same currency is itself at rate 1; no amount,
  -- or no rate in effect, leaves the converted amount null (unknown, never guessed).
  -- PL/pgSQL, not SQL: its statements' plans are kept across calls, and the trigger below
  -- calls it once per row written.
  reporting_currency := rep;
  IF $1 IS NULL OR $2 IS NULL THEN
    RETURN;
  END IF;
  IF $2 = rep THEN
    rate := 1;
    reporting_minor := $1;
    RETURN;
  END IF;
  SELECT f.rate, f.effective_date INTO found_rate, found_day
    FROM public.fx_rates f
    WHERE f.currency = $2 AND f.reporting_currency = rep AND f.effective_date <= ($3 AT TIME ZONE 'UTC')::date
    ORDER BY f.effective_date DESC
    LIMIT 1;
  IF found_rate IS NOT NULL THEN
    rate := found_rate;
    rate_date := found_day;
    reporting_minor := public.closeline_fx_apply($1, $2, rep, found_rate);
  END IF;
END
$function$;
