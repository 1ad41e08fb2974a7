-- The current definition after all migrations, as PostgreSQL renders it. Change it with a
-- migration, then `npm run db:functions` rewrites this file (db/sql/README.md).

CREATE OR REPLACE FUNCTION public.kpi_summaries_rebuild_trigger()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  PERFORM kpi_summaries_rebuild();
  RETURN NULL;
END;
$function$;
