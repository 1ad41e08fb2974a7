-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.usage_completeness_days_apply()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  -- The ingestion lock (lib/exceptions/detect.ts) before any rollup row: every trigger that
  -- keeps a KPI table takes it first, so no two writers can lock rollup rows and the lock in
  -- opposite orders (a deadlock).
  PERFORM pg_advisory_xact_lock(7340003);
  -- A transition table exists only for the operations its trigger names, hence the branches.
  IF TG_OP = 'INSERT' THEN
    INSERT INTO usage_completeness_days AS d
      (day, entity, source, meter, checkpoints, expected, received, missing)
    SELECT (window_end AT TIME ZONE 'UTC')::date, entity, source, meter, count(*),
      sum(expected_count)::bigint, sum(received_count)::bigint,
      sum(greatest(expected_count - received_count, 0))::bigint
    FROM usage_completeness_new GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (day, entity, source, meter) DO UPDATE SET
      checkpoints = d.checkpoints + excluded.checkpoints, expected = d.expected + excluded.expected,
      received = d.received + excluded.received, missing = d.missing + excluded.missing;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO usage_completeness_days AS d
      (day, entity, source, meter, checkpoints, expected, received, missing)
    SELECT (window_end AT TIME ZONE 'UTC')::date, entity, source, meter, -count(*),
      -sum(expected_count)::bigint, -sum(received_count)::bigint,
      -sum(greatest(expected_count - received_count, 0))::bigint
    FROM usage_completeness_old GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (day, entity, source, meter) DO UPDATE SET
      checkpoints = d.checkpoints + excluded.checkpoints, expected = d.expected + excluded.expected,
      received = d.received + excluded.received, missing = d.missing + excluded.missing;
  ELSE
    -- A supersession changes the counts of a window and keeps its key; any other update
    -- (an operator moving a window) is the removal of the old row and the addition of the new.
    INSERT INTO usage_completeness_days AS d
      (day, entity, source, meter, checkpoints, expected, received, missing)
    SELECT day, entity, source, meter, sum(n)::bigint, sum(expected)::bigint,
      sum(received)::bigint, sum(missing)::bigint
    FROM (
      SELECT (window_end AT TIME ZONE 'UTC')::date AS day, entity, source, meter, 1 AS n,
        expected_count AS expected, received_count AS received,
        greatest(expected_count - received_count, 0) AS missing
      FROM usage_completeness_new
      UNION ALL
      SELECT (window_end AT TIME ZONE 'UTC')::date, entity, source, meter, -1,
        -expected_count, -received_count, -greatest(expected_count - received_count, 0)
      FROM usage_completeness_old
    ) changes
    GROUP BY 1, 2, 3, 4
    HAVING sum(n) <> 0 OR sum(expected) <> 0 OR sum(received) <> 0 OR sum(missing) <> 0
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (day, entity, source, meter) DO UPDATE SET
      checkpoints = d.checkpoints + excluded.checkpoints, expected = d.expected + excluded.expected,
      received = d.received + excluded.received, missing = d.missing + excluded.missing;
  END IF;
  -- A row the removed rows brought to zero goes, in both branches that remove rows.
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM usage_completeness_days WHERE checkpoints = 0
      AND day IN (SELECT DISTINCT (window_end AT TIME ZONE 'UTC')::date FROM usage_completeness_old);
  END IF;
  RETURN NULL;
END;
$function$;
