-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.event_lag_value_days_apply()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE
  -- The transaction's shard, as every trigger that keeps an additive KPI table
  -- (event_lag_days_apply).
  own_shard smallint;
BEGIN
  -- Nothing to do for a statement that changed no row (event_lag_days_apply).
  IF TG_OP = 'DELETE' THEN
    IF NOT EXISTS (SELECT FROM event_lag_old) THEN RETURN NULL; END IF;
  ELSIF NOT EXISTS (SELECT FROM event_lag_new) THEN
    RETURN NULL;
  END IF;
  own_shard := closeline_rollup_shard();
  -- Each lag value's count per day and entity, under its fine bucket, upserted in key order.
  EXECUTE format($upsert$INSERT INTO event_lag_value_days AS v (fine, day, entity, lag_ms, shard, events)
    SELECT closeline_lag_fine_bucket(lag_ms), (received_at AT TIME ZONE 'UTC')::date,
      coalesce(entity, ''), lag_ms, $1, sum(sign)
    FROM (%s) c GROUP BY 1, 2, 3, 4 HAVING sum(sign) <> 0 ORDER BY 1, 2, 3, 4
    ON CONFLICT (fine, day, entity, lag_ms, shard) DO UPDATE SET events = v.events + excluded.events$upsert$,
    closeline_signed_changes(TG_OP, 'event_lag_new', 'event_lag_old')) USING own_shard;
  -- A row of the shard that the removed rows brought to zero goes, for the operations that
  -- remove rows.
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM event_lag_value_days v
    USING (SELECT DISTINCT closeline_lag_fine_bucket(lag_ms) AS fine,
        (received_at AT TIME ZONE 'UTC')::date AS day, coalesce(entity, '') AS entity, lag_ms
      FROM event_lag_old) k
    WHERE v.fine = k.fine AND v.day = k.day AND v.entity = k.entity AND v.lag_ms = k.lag_ms
      AND v.shard = own_shard AND v.events = 0;
  END IF;
  RETURN NULL;
END;
$function$;
