-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.event_lag_days_apply()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE
  changed text := closeline_signed_changes(TG_OP, 'event_lag_new', 'event_lag_old');
  -- Every trigger that keeps an additive KPI table adds to the rows of its transaction's
  -- shard (closeline_rollup_shard), which no other open transaction writes, so batches never
  -- wait for one another's rollup rows. A key's count is the sum over its shards, and one
  -- shard's row may be negative (a delete of events another shard counted): readers sum.
  own_shard smallint;
BEGIN
  -- Nothing to do for a statement that changed no row: an upsert fires its table's UPDATE
  -- trigger whether or not it updated one, and the statements below would be parsed,
  -- planned and run, and fire their own tables' triggers, for nothing.
  IF TG_OP = 'DELETE' THEN
    IF NOT EXISTS (SELECT FROM event_lag_old) THEN RETURN NULL; END IF;
  ELSIF NOT EXISTS (SELECT FROM event_lag_new) THEN
    RETURN NULL;
  END IF;
  own_shard := closeline_rollup_shard();
  -- Each rollup's rows upserted in key order. A key whose changes cancel out (an update that
  -- keeps it) is left alone.
  EXECUTE format($upsert$INSERT INTO event_lag_days AS d (day, entity, bucket, shard, events)
    SELECT (received_at AT TIME ZONE 'UTC')::date, coalesce(entity, ''), lag_bucket, $1, sum(sign)
    FROM (%s) c GROUP BY 1, 2, 3 HAVING sum(sign) <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (day, entity, bucket, shard) DO UPDATE SET events = d.events + excluded.events$upsert$,
    changed) USING own_shard;
  EXECUTE format($upsert$INSERT INTO event_lag_hours AS h (hour, entity, bucket, shard, events)
    SELECT date_trunc('hour', received_at, 'UTC'), coalesce(entity, ''), lag_bucket, $1, sum(sign)
    FROM (%s) c GROUP BY 1, 2, 3 HAVING sum(sign) <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (hour, entity, bucket, shard) DO UPDATE SET events = h.events + excluded.events$upsert$,
    changed) USING own_shard;
  EXECUTE format($upsert$INSERT INTO event_lag_fine_days AS f (fine, day, entity, shard, events)
    SELECT closeline_lag_fine_bucket(lag_ms), (received_at AT TIME ZONE 'UTC')::date,
      coalesce(entity, ''), $1, sum(sign)
    FROM (%s) c GROUP BY 1, 2, 3 HAVING sum(sign) <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (fine, day, entity, shard) DO UPDATE SET events = f.events + excluded.events$upsert$,
    changed) USING own_shard;
  -- A row of the shard that the removed rows brought to zero goes, for the operations that
  -- remove rows. Only this shard's: the others are other transactions' to write.
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM event_lag_days WHERE shard = own_shard AND events = 0
      AND day IN (SELECT DISTINCT (received_at AT TIME ZONE 'UTC')::date FROM event_lag_old);
    DELETE FROM event_lag_hours WHERE shard = own_shard AND events = 0
      AND hour IN (SELECT DISTINCT date_trunc('hour', received_at, 'UTC') FROM event_lag_old);
    DELETE FROM event_lag_fine_days f
    USING (SELECT DISTINCT closeline_lag_fine_bucket(lag_ms) AS fine,
        (received_at AT TIME ZONE 'UTC')::date AS day, coalesce(entity, '') AS entity
      FROM event_lag_old) k
    WHERE f.fine = k.fine AND f.day = k.day AND f.entity = k.entity AND f.shard = own_shard
      AND f.events = 0;
  END IF;
  RETURN NULL;
END;
$function$;
