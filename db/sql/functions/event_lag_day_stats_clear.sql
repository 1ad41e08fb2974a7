-- The current definition after all migrations, as PostgreSQL renders it. Change it with a
-- migration, then `npm run db:functions` rewrites this file (db/sql/README.md).

CREATE OR REPLACE FUNCTION public.event_lag_day_stats_clear()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  DELETE FROM event_lag_day_stats;
  UPDATE event_lag_day_versions SET version = version + 1;
  RETURN NULL;
END;
$function$;
