-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.closeline_fx_apply(amount_minor bigint, from_currency text, to_currency text, rate numeric)
 RETURNS bigint
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  -- amount × rate, shifted between the two currencies' minor units, rounded half away from
  -- zero to a whole minor unit of the target (lib/money/fx.ts does the same with BigInt).
  -- Null when the result does not fit a bigint (or is -2^63, whose abs would not).
  SELECT CASE WHEN abs(v) <= 9223372036854775807 THEN v::bigint END
  FROM (SELECT round($1::numeric * $4
    * power(10::numeric, public.closeline_currency_digits($3) - public.closeline_currency_digits($2))) AS v) converted
$function$;
