-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.closeline_currency_digits(currency text)
 RETURNS integer
 LANGUAGE sql
 IMMUTABLE
AS $function$
  SELECT CASE
    WHEN currency IN ('BIF','CLP','DJF','GNF','ISK','JPY','KMF','KRW','PYG','RWF','UGX','UYI','VND','VUV','XAF','XOF','XPF') THEN 0
    WHEN currency IN ('BHD','IQD','JOD','KWD','LYD','OMR','TND') THEN 3
    ELSE 2
  END
$function$;
