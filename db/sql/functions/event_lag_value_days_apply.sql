-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.event_lag_value_days_apply()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  -- The ingestion lock first, as every trigger that keeps a KPI table (event_lag_days_apply).
  PERFORM pg_advisory_xact_lock(7340003);
  -- Each lag value's count per day and entity, under its fine bucket, upserted in key order
  -- (no deadlock). A transition table exists only for the operations its trigger names.
  IF TG_OP = 'INSERT' THEN
    INSERT INTO event_lag_value_days AS v (fine, day, entity, lag_ms, events)
    SELECT closeline_lag_fine_bucket(lag_ms), (received_at AT TIME ZONE 'UTC')::date,
      coalesce(entity, ''), lag_ms, count(*)
    FROM event_lag_new GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (fine, day, entity, lag_ms) DO UPDATE SET events = v.events + excluded.events;
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN
    INSERT INTO event_lag_value_days AS v (fine, day, entity, lag_ms, events)
    SELECT closeline_lag_fine_bucket(lag_ms), (received_at AT TIME ZONE 'UTC')::date,
      coalesce(entity, ''), lag_ms, -count(*)
    FROM event_lag_old GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (fine, day, entity, lag_ms) DO UPDATE SET events = v.events + excluded.events;
  ELSE
    INSERT INTO event_lag_value_days AS v (fine, day, entity, lag_ms, events)
    SELECT closeline_lag_fine_bucket(lag_ms), day, entity, lag_ms, sum(n)::bigint FROM (
      SELECT (received_at AT TIME ZONE 'UTC')::date AS day, coalesce(entity, '') AS entity,
        lag_ms, 1 AS n FROM event_lag_new
      UNION ALL
      SELECT (received_at AT TIME ZONE 'UTC')::date, coalesce(entity, ''), lag_ms, -1
      FROM event_lag_old
    ) changes
    GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4
    ON CONFLICT (fine, day, entity, lag_ms) DO UPDATE SET events = v.events + excluded.events;
  END IF;
  DELETE FROM event_lag_value_days v
  USING (SELECT DISTINCT closeline_lag_fine_bucket(lag_ms) AS fine,
      (received_at AT TIME ZONE 'UTC')::date AS day, coalesce(entity, '') AS entity, lag_ms
    FROM event_lag_old) k
  WHERE v.fine = k.fine AND v.day = k.day AND v.entity = k.entity AND v.lag_ms = k.lag_ms
    AND v.events = 0;
  RETURN NULL;
END;
$function$;
