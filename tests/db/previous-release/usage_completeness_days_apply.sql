CREATE OR REPLACE FUNCTION public.usage_completeness_days_apply()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  -- The ingestion lock first, as every trigger that keeps a KPI table (event_lag_days_apply).
  PERFORM pg_advisory_xact_lock(7340003);
  -- A supersession changes the counts of a window and keeps its key; any other update (an
  -- operator moving a window) is the removal of the old row and the addition of the new.
  EXECUTE format($upsert$INSERT INTO usage_completeness_days AS d
      (day, entity, source, meter, checkpoints, expected, received, missing)
    SELECT (window_end AT TIME ZONE 'UTC')::date, entity, source, meter, sum(sign),
      sum(sign * expected_count)::bigint, sum(sign * received_count)::bigint,
      sum(sign * greatest(expected_count - received_count, 0))::bigint
    FROM (%s) c
    GROUP BY 1, 2, 3, 4
    HAVING sum(sign) <> 0 OR sum(sign * expected_count) <> 0 OR sum(sign * received_count) <> 0
      OR sum(sign * greatest(expected_count - received_count, 0)) <> 0
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (day, entity, source, meter) DO UPDATE SET
      checkpoints = d.checkpoints + excluded.checkpoints, expected = d.expected + excluded.expected,
      received = d.received + excluded.received, missing = d.missing + excluded.missing$upsert$,
    closeline_signed_changes(TG_OP, 'usage_completeness_new', 'usage_completeness_old'));
  -- A row the removed rows brought to zero goes, for the operations that remove rows.
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM usage_completeness_days WHERE checkpoints = 0
      AND day IN (SELECT DISTINCT (window_end AT TIME ZONE 'UTC')::date FROM usage_completeness_old);
  END IF;
  RETURN NULL;
END;
$function$;
