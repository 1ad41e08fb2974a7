-- The current definition after all migrations, as PostgreSQL renders it. Change it with a
-- migration, then `npm run db:functions` rewrites this file (db/sql/README.md).

CREATE OR REPLACE FUNCTION public.closeline_severity_order(severity text)
 RETURNS integer
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  SELECT CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END
$function$;
