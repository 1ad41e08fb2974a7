-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.usage_completeness_entity_days_apply()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  -- A transition table exists only for the operations its trigger names, hence the branches.
  IF TG_OP = 'INSERT' THEN
    INSERT INTO usage_completeness_entity_days AS d (day, entity, checkpoints, expected, received, missing)
    SELECT day, entity, sum(checkpoints), sum(expected), sum(received), sum(missing)
    FROM usage_rollup_new GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (day, entity) DO UPDATE SET
      checkpoints = d.checkpoints + excluded.checkpoints, expected = d.expected + excluded.expected,
      received = d.received + excluded.received, missing = d.missing + excluded.missing;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO usage_completeness_entity_days AS d (day, entity, checkpoints, expected, received, missing)
    SELECT day, entity, -sum(checkpoints), -sum(expected), -sum(received), -sum(missing)
    FROM usage_rollup_old GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (day, entity) DO UPDATE SET
      checkpoints = d.checkpoints + excluded.checkpoints, expected = d.expected + excluded.expected,
      received = d.received + excluded.received, missing = d.missing + excluded.missing;
  ELSE
    INSERT INTO usage_completeness_entity_days AS d (day, entity, checkpoints, expected, received, missing)
    SELECT day, entity, sum(checkpoints), sum(expected), sum(received), sum(missing)
    FROM (
      SELECT day, entity, checkpoints, expected, received, missing FROM usage_rollup_new
      UNION ALL
      SELECT day, entity, -checkpoints, -expected, -received, -missing FROM usage_rollup_old
    ) changes
    GROUP BY 1, 2
    HAVING sum(checkpoints) <> 0 OR sum(expected) <> 0 OR sum(received) <> 0 OR sum(missing) <> 0
    ORDER BY 1, 2
    ON CONFLICT (day, entity) DO UPDATE SET
      checkpoints = d.checkpoints + excluded.checkpoints, expected = d.expected + excluded.expected,
      received = d.received + excluded.received, missing = d.missing + excluded.missing;
  END IF;
  -- A row the removed rows brought to zero goes, in both branches that remove rows.
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM usage_completeness_entity_days WHERE checkpoints = 0
      AND day IN (SELECT DISTINCT day FROM usage_rollup_old);
  END IF;
  RETURN NULL;
END;
$function$;
