-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.usage_completeness_months_apply()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  -- Nothing to do for a statement that changed no row (event_lag_days_apply).
  IF TG_OP = 'DELETE' THEN
    IF NOT EXISTS (SELECT FROM usage_months_rollup_old) THEN RETURN NULL; END IF;
  ELSIF NOT EXISTS (SELECT FROM usage_months_rollup_new) THEN
    RETURN NULL;
  END IF;
  -- The days of a month added up (closeline_signed_changes), on the shard of the day rows
  -- that changed: the transaction's own (event_lag_days_apply).
  EXECUTE format($upsert$INSERT INTO usage_completeness_months AS m
      (month, entity, source, meter, shard, checkpoints, expected, received, missing)
    SELECT date_trunc('month', day)::date, entity, source, meter, shard, sum(sign * checkpoints),
      sum(sign * expected), sum(sign * received), sum(sign * missing)
    FROM (%s) c
    GROUP BY 1, 2, 3, 4, 5
    HAVING sum(sign * checkpoints) <> 0 OR sum(sign * expected) <> 0
      OR sum(sign * received) <> 0 OR sum(sign * missing) <> 0
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (month, entity, source, meter, shard) DO UPDATE SET
      checkpoints = m.checkpoints + excluded.checkpoints, expected = m.expected + excluded.expected,
      received = m.received + excluded.received, missing = m.missing + excluded.missing$upsert$,
    closeline_signed_changes(TG_OP, 'usage_months_rollup_new', 'usage_months_rollup_old'));
  -- A row the removed rows brought to zero in every sum goes, for the operations that remove
  -- rows, in those rows' shards only.
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM usage_completeness_months m
    USING (SELECT DISTINCT date_trunc('month', day)::date AS month, shard
      FROM usage_months_rollup_old) k
    WHERE m.month = k.month AND m.shard = k.shard AND m.checkpoints = 0 AND m.expected = 0
      AND m.received = 0 AND m.missing = 0;
  END IF;
  RETURN NULL;
END;
$function$;
