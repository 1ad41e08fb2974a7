-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.usage_completeness_entity_days_apply()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  -- Nothing to do for a statement that changed no row (event_lag_days_apply).
  IF TG_OP = 'DELETE' THEN
    IF NOT EXISTS (SELECT FROM usage_rollup_old) THEN RETURN NULL; END IF;
  ELSIF NOT EXISTS (SELECT FROM usage_rollup_new) THEN
    RETURN NULL;
  END IF;
  -- The day's rows of every source and meter of an entity, added up (closeline_signed_changes),
  -- on the shard of the rows that changed: the transaction's own (event_lag_days_apply).
  EXECUTE format($upsert$INSERT INTO usage_completeness_entity_days AS d
      (day, entity, shard, checkpoints, expected, received, missing)
    SELECT day, entity, shard, sum(sign * checkpoints), sum(sign * expected), sum(sign * received),
      sum(sign * missing)
    FROM (%s) c
    GROUP BY 1, 2, 3
    HAVING sum(sign * checkpoints) <> 0 OR sum(sign * expected) <> 0
      OR sum(sign * received) <> 0 OR sum(sign * missing) <> 0
    ORDER BY 1, 2, 3
    ON CONFLICT (day, entity, shard) DO UPDATE SET
      checkpoints = d.checkpoints + excluded.checkpoints, expected = d.expected + excluded.expected,
      received = d.received + excluded.received, missing = d.missing + excluded.missing$upsert$,
    closeline_signed_changes(TG_OP, 'usage_rollup_new', 'usage_rollup_old'));
  -- A row the removed rows brought to zero in every sum goes, for the operations that remove
  -- rows, in those rows' shards only.
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM usage_completeness_entity_days d
    USING (SELECT DISTINCT day, shard FROM usage_rollup_old) k
    WHERE d.day = k.day AND d.shard = k.shard AND d.checkpoints = 0 AND d.expected = 0
      AND d.received = 0 AND d.missing = 0;
  END IF;
  RETURN NULL;
END;
$function$;
