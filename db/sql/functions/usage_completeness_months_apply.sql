-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.usage_completeness_months_apply()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO usage_completeness_months AS m
      (month, entity, source, meter, checkpoints, expected, received, missing)
    SELECT date_trunc('month', day)::date, entity, source, meter, sum(checkpoints), sum(expected),
      sum(received), sum(missing)
    FROM usage_months_rollup_new GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (month, entity, source, meter) DO UPDATE SET
      checkpoints = m.checkpoints + excluded.checkpoints, expected = m.expected + excluded.expected,
      received = m.received + excluded.received, missing = m.missing + excluded.missing;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO usage_completeness_months AS m
      (month, entity, source, meter, checkpoints, expected, received, missing)
    SELECT date_trunc('month', day)::date, entity, source, meter, -sum(checkpoints), -sum(expected),
      -sum(received), -sum(missing)
    FROM usage_months_rollup_old GROUP BY 1, 2, 3, 4
    HAVING sum(checkpoints) <> 0 OR sum(expected) <> 0 OR sum(received) <> 0 OR sum(missing) <> 0
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (month, entity, source, meter) DO UPDATE SET
      checkpoints = m.checkpoints + excluded.checkpoints, expected = m.expected + excluded.expected,
      received = m.received + excluded.received, missing = m.missing + excluded.missing;
  ELSE
    INSERT INTO usage_completeness_months AS m
      (month, entity, source, meter, checkpoints, expected, received, missing)
    SELECT month, entity, source, meter, sum(checkpoints), sum(expected), sum(received), sum(missing)
    FROM (
      SELECT date_trunc('month', day)::date AS month, entity, source, meter, checkpoints,
        expected, received, missing
      FROM usage_months_rollup_new
      UNION ALL
      SELECT date_trunc('month', day)::date, entity, source, meter, -checkpoints, -expected,
        -received, -missing
      FROM usage_months_rollup_old
    ) changes
    GROUP BY 1, 2, 3, 4
    HAVING sum(checkpoints) <> 0 OR sum(expected) <> 0 OR sum(received) <> 0 OR sum(missing) <> 0
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (month, entity, source, meter) DO UPDATE SET
      checkpoints = m.checkpoints + excluded.checkpoints, expected = m.expected + excluded.expected,
      received = m.received + excluded.received, missing = m.missing + excluded.missing;
  END IF;
  -- A row the removed rows brought to zero goes, in both branches that remove rows.
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM usage_completeness_months WHERE checkpoints = 0
      AND month IN (SELECT DISTINCT date_trunc('month', day)::date FROM usage_months_rollup_old);
  END IF;
  RETURN NULL;
END;
$function$;
