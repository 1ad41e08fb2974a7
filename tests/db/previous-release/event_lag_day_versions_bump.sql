CREATE OR REPLACE FUNCTION public.event_lag_day_versions_bump()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  PERFORM pg_advisory_xact_lock(7340003);
  -- Each day the statement added or removed events of goes one version up.
  EXECUTE format($upsert$INSERT INTO event_lag_day_versions AS v (day, version)
    SELECT DISTINCT (received_at AT TIME ZONE 'UTC')::date, 1 FROM (%s) c ORDER BY 1
    ON CONFLICT (day) DO UPDATE SET version = v.version + 1$upsert$,
    closeline_signed_changes(TG_OP, 'event_lag_new', 'event_lag_old'));
  RETURN NULL;
END;
$function$;
