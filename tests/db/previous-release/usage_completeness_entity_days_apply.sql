CREATE OR REPLACE FUNCTION public.usage_completeness_entity_days_apply()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  -- The day's rows of every source and meter of an entity, added up (closeline_signed_changes).
  EXECUTE format($upsert$INSERT INTO usage_completeness_entity_days AS d
      (day, entity, checkpoints, expected, received, missing)
    SELECT day, entity, sum(sign * checkpoints), sum(sign * expected), sum(sign * received),
      sum(sign * missing)
    FROM (%s) c
    GROUP BY 1, 2
    HAVING sum(sign * checkpoints) <> 0 OR sum(sign * expected) <> 0
      OR sum(sign * received) <> 0 OR sum(sign * missing) <> 0
    ORDER BY 1, 2
    ON CONFLICT (day, entity) DO UPDATE SET
      checkpoints = d.checkpoints + excluded.checkpoints, expected = d.expected + excluded.expected,
      received = d.received + excluded.received, missing = d.missing + excluded.missing$upsert$,
    closeline_signed_changes(TG_OP, 'usage_rollup_new', 'usage_rollup_old'));
  -- A row the removed rows brought to zero goes, for the operations that remove rows.
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM usage_completeness_entity_days WHERE checkpoints = 0
      AND day IN (SELECT DISTINCT day FROM usage_rollup_old);
  END IF;
  RETURN NULL;
END;
$function$;
