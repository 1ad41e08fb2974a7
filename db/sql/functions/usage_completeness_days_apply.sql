-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.usage_completeness_days_apply()
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
    IF NOT EXISTS (SELECT FROM usage_completeness_old) THEN RETURN NULL; END IF;
  ELSIF NOT EXISTS (SELECT FROM usage_completeness_new) THEN
    RETURN NULL;
  END IF;
  own_shard := closeline_rollup_shard();
  -- A supersession changes the counts of a window and keeps its key; any other update (an
  -- operator moving a window) is the removal of the old row and the addition of the new.
  EXECUTE format($upsert$INSERT INTO usage_completeness_days AS d
      (day, entity, source, meter, shard, checkpoints, expected, received, missing)
    SELECT (window_end AT TIME ZONE 'UTC')::date, entity, source, meter, $1, sum(sign),
      sum(sign * expected_count)::bigint, sum(sign * received_count)::bigint,
      sum(sign * greatest(expected_count - received_count, 0))::bigint
    FROM (%s) c
    GROUP BY 1, 2, 3, 4
    HAVING sum(sign) <> 0 OR sum(sign * expected_count) <> 0 OR sum(sign * received_count) <> 0
      OR sum(sign * greatest(expected_count - received_count, 0)) <> 0
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (day, entity, source, meter, shard) DO UPDATE SET
      checkpoints = d.checkpoints + excluded.checkpoints, expected = d.expected + excluded.expected,
      received = d.received + excluded.received, missing = d.missing + excluded.missing$upsert$,
    closeline_signed_changes(TG_OP, 'usage_completeness_new', 'usage_completeness_old'))
    USING own_shard;
  -- A row of the shard that the removed rows brought to zero goes, for the operations that
  -- remove rows. Zero in every sum, not only in checkpoints: a shard's row can hold a
  -- supersession's change of counts with no checkpoint of its own.
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM usage_completeness_days WHERE shard = own_shard AND checkpoints = 0
      AND expected = 0 AND received = 0 AND missing = 0
      AND day IN (SELECT DISTINCT (window_end AT TIME ZONE 'UTC')::date FROM usage_completeness_old);
  END IF;
  RETURN NULL;
END;
$function$;
