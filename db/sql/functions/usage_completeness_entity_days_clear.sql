-- The current definition after all migrations, as PostgreSQL renders it. Change it with a
-- migration, then `npm run db:functions` rewrites this file (db/sql/README.md).

CREATE OR REPLACE FUNCTION public.usage_completeness_entity_days_clear()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  DELETE FROM usage_completeness_entity_days;
  RETURN NULL;
END;
$function$;
