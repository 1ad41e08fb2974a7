-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.event_lag_months_apply()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  -- A transition table exists only for the operations its trigger names: a missing one is
  -- read as empty through the branches.
  IF TG_OP = 'INSERT' THEN
    INSERT INTO event_lag_months AS m (month, entity, bucket, events)
    SELECT date_trunc('month', day)::date, entity, bucket, sum(events)::bigint
    FROM event_lag_rollup_new GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (month, entity, bucket) DO UPDATE SET events = m.events + excluded.events;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO event_lag_months AS m (month, entity, bucket, events)
    SELECT date_trunc('month', day)::date, entity, bucket, -sum(events)::bigint
    FROM event_lag_rollup_old GROUP BY 1, 2, 3 HAVING sum(events) <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (month, entity, bucket) DO UPDATE SET events = m.events + excluded.events;
  ELSE
    INSERT INTO event_lag_months AS m (month, entity, bucket, events)
    SELECT month, entity, bucket, sum(events)::bigint FROM (
      SELECT date_trunc('month', day)::date AS month, entity, bucket, events FROM event_lag_rollup_new
      UNION ALL
      SELECT date_trunc('month', day)::date, entity, bucket, -events FROM event_lag_rollup_old
    ) changes
    GROUP BY 1, 2, 3 HAVING sum(events) <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (month, entity, bucket) DO UPDATE SET events = m.events + excluded.events;
  END IF;
  -- A row the removed rows brought to zero goes, in both branches that remove rows.
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM event_lag_months WHERE events = 0
      AND month IN (SELECT DISTINCT date_trunc('month', day)::date FROM event_lag_rollup_old);
  END IF;
  RETURN NULL;
END;
$function$;
