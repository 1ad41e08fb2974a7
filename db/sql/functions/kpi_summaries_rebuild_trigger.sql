-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.kpi_summaries_rebuild_trigger()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  PERFORM kpi_summaries_rebuild();
  RETURN NULL;
END;
$function$;
