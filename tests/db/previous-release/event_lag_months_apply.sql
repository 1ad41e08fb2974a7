CREATE OR REPLACE FUNCTION public.event_lag_months_apply()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  -- The days of a month added up (closeline_signed_changes).
  EXECUTE format($upsert$INSERT INTO event_lag_months AS m (month, entity, bucket, events)
    SELECT date_trunc('month', day)::date, entity, bucket, sum(sign * events)::bigint
    FROM (%s) c GROUP BY 1, 2, 3 HAVING sum(sign * events) <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (month, entity, bucket) DO UPDATE SET events = m.events + excluded.events$upsert$,
    closeline_signed_changes(TG_OP, 'event_lag_rollup_new', 'event_lag_rollup_old'));
  -- A row the removed rows brought to zero goes, for the operations that remove rows.
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM event_lag_months WHERE events = 0
      AND month IN (SELECT DISTINCT date_trunc('month', day)::date FROM event_lag_rollup_old);
  END IF;
  RETURN NULL;
END;
$function$;
