-- The current definition after all migrations, as PostgreSQL renders it. Change it with a
-- migration, then `npm run db:functions` rewrites this file (db/sql/README.md).

CREATE OR REPLACE FUNCTION public.event_lag_days_clear()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  DELETE FROM event_lag_days;
  DELETE FROM event_lag_fine_days;
  DELETE FROM event_lag_hours;
  RETURN NULL;
END;
$function$;
