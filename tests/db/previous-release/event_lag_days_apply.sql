CREATE OR REPLACE FUNCTION public.event_lag_days_apply()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE
  changed text := closeline_signed_changes(TG_OP, 'event_lag_new', 'event_lag_old');
BEGIN
  -- The ingestion lock (lib/exceptions/detect.ts) before any rollup row: every trigger that
  -- keeps a KPI table takes it first, so no two writers can lock rollup rows and the lock in
  -- opposite orders (a deadlock).
  PERFORM pg_advisory_xact_lock(7340003);
  -- Each rollup's rows upserted in key order (no deadlock either). A key whose changes cancel
  -- out (an update that keeps it) is left alone.
  EXECUTE format($upsert$INSERT INTO event_lag_days AS d (day, entity, bucket, events)
    SELECT (received_at AT TIME ZONE 'UTC')::date, coalesce(entity, ''), lag_bucket, sum(sign)
    FROM (%s) c GROUP BY 1, 2, 3 HAVING sum(sign) <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (day, entity, bucket) DO UPDATE SET events = d.events + excluded.events$upsert$,
    changed);
  EXECUTE format($upsert$INSERT INTO event_lag_hours AS h (hour, entity, bucket, events)
    SELECT date_trunc('hour', received_at, 'UTC'), coalesce(entity, ''), lag_bucket, sum(sign)
    FROM (%s) c GROUP BY 1, 2, 3 HAVING sum(sign) <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (hour, entity, bucket) DO UPDATE SET events = h.events + excluded.events$upsert$,
    changed);
  EXECUTE format($upsert$INSERT INTO event_lag_fine_days AS f (fine, day, entity, events)
    SELECT closeline_lag_fine_bucket(lag_ms), (received_at AT TIME ZONE 'UTC')::date,
      coalesce(entity, ''), sum(sign)
    FROM (%s) c GROUP BY 1, 2, 3 HAVING sum(sign) <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (fine, day, entity) DO UPDATE SET events = f.events + excluded.events$upsert$,
    changed);
  -- A row the removed rows brought to zero goes, for the operations that remove rows.
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM event_lag_days WHERE events = 0
      AND day IN (SELECT DISTINCT (received_at AT TIME ZONE 'UTC')::date FROM event_lag_old);
    DELETE FROM event_lag_hours WHERE events = 0
      AND hour IN (SELECT DISTINCT date_trunc('hour', received_at, 'UTC') FROM event_lag_old);
    DELETE FROM event_lag_fine_days f
    USING (SELECT DISTINCT closeline_lag_fine_bucket(lag_ms) AS fine,
        (received_at AT TIME ZONE 'UTC')::date AS day, coalesce(entity, '') AS entity
      FROM event_lag_old) k
    WHERE f.fine = k.fine AND f.day = k.day AND f.entity = k.entity AND f.events = 0;
  END IF;
  RETURN NULL;
END;
$function$;
