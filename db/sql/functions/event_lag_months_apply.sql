-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.event_lag_months_apply()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  -- Nothing to do for a statement that changed no row (event_lag_days_apply).
  IF TG_OP = 'DELETE' THEN
    IF NOT EXISTS (SELECT FROM event_lag_rollup_old) THEN RETURN NULL; END IF;
  ELSIF NOT EXISTS (SELECT FROM event_lag_rollup_new) THEN
    RETURN NULL;
  END IF;
  -- The days of a month added up (closeline_signed_changes), on the shard of the day rows
  -- that changed: the transaction's own (event_lag_days_apply).
  EXECUTE format($upsert$INSERT INTO event_lag_months AS m (month, entity, bucket, shard, events)
    SELECT date_trunc('month', day)::date, entity, bucket, shard, sum(sign * events)::bigint
    FROM (%s) c GROUP BY 1, 2, 3, 4 HAVING sum(sign * events) <> 0 ORDER BY 1, 2, 3, 4
    ON CONFLICT (month, entity, bucket, shard) DO UPDATE SET events = m.events + excluded.events$upsert$,
    closeline_signed_changes(TG_OP, 'event_lag_rollup_new', 'event_lag_rollup_old'));
  -- A row the removed rows brought to zero goes, for the operations that remove rows, in
  -- those rows' shards only.
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM event_lag_months m
    USING (SELECT DISTINCT date_trunc('month', day)::date AS month, shard
      FROM event_lag_rollup_old) k
    WHERE m.month = k.month AND m.shard = k.shard AND m.events = 0;
  END IF;
  RETURN NULL;
END;
$function$;
