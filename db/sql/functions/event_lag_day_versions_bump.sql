-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.event_lag_day_versions_bump()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  PERFORM pg_advisory_xact_lock(7340003);
  -- A transition table exists only for the operations its trigger names, hence the branches.
  IF TG_OP = 'INSERT' THEN
    INSERT INTO event_lag_day_versions AS v (day, version)
    SELECT DISTINCT (received_at AT TIME ZONE 'UTC')::date, 1 FROM event_lag_new ORDER BY 1
    ON CONFLICT (day) DO UPDATE SET version = v.version + 1;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO event_lag_day_versions AS v (day, version)
    SELECT DISTINCT (received_at AT TIME ZONE 'UTC')::date, 1 FROM event_lag_old ORDER BY 1
    ON CONFLICT (day) DO UPDATE SET version = v.version + 1;
  ELSE
    INSERT INTO event_lag_day_versions AS v (day, version)
    SELECT (received_at AT TIME ZONE 'UTC')::date, 1 FROM event_lag_new
    UNION SELECT (received_at AT TIME ZONE 'UTC')::date, 1 FROM event_lag_old ORDER BY 1
    ON CONFLICT (day) DO UPDATE SET version = v.version + 1;
  END IF;
  RETURN NULL;
END;
$function$;
