-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.event_lag_day_versions_bump()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  -- Nothing to do for a statement that changed no row (event_lag_days_apply).
  IF TG_OP = 'DELETE' THEN
    IF NOT EXISTS (SELECT FROM event_lag_old) THEN RETURN NULL; END IF;
  ELSIF NOT EXISTS (SELECT FROM event_lag_new) THEN
    RETURN NULL;
  END IF;
  -- Each day the statement added or removed events of goes one version up, on the row of the
  -- transaction's shard (event_lag_days_apply). A day's state is its vector of shard
  -- versions, not their sum (db/queries/event-lag.ts).
  EXECUTE format($upsert$INSERT INTO event_lag_day_versions AS v (day, shard, version)
    SELECT DISTINCT (received_at AT TIME ZONE 'UTC')::date, $1, 1 FROM (%s) c ORDER BY 1
    ON CONFLICT (day, shard) DO UPDATE SET version = v.version + 1$upsert$,
    closeline_signed_changes(TG_OP, 'event_lag_new', 'event_lag_old'))
    USING closeline_rollup_shard();
  RETURN NULL;
END;
$function$;
