CREATE OR REPLACE FUNCTION public.usage_completeness_months_apply()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  -- The days of a month added up (closeline_signed_changes).
  EXECUTE format($upsert$INSERT INTO usage_completeness_months AS m
      (month, entity, source, meter, checkpoints, expected, received, missing)
    SELECT date_trunc('month', day)::date, entity, source, meter, sum(sign * checkpoints),
      sum(sign * expected), sum(sign * received), sum(sign * missing)
    FROM (%s) c
    GROUP BY 1, 2, 3, 4
    HAVING sum(sign * checkpoints) <> 0 OR sum(sign * expected) <> 0
      OR sum(sign * received) <> 0 OR sum(sign * missing) <> 0
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (month, entity, source, meter) DO UPDATE SET
      checkpoints = m.checkpoints + excluded.checkpoints, expected = m.expected + excluded.expected,
      received = m.received + excluded.received, missing = m.missing + excluded.missing$upsert$,
    closeline_signed_changes(TG_OP, 'usage_months_rollup_new', 'usage_months_rollup_old'));
  -- A row the removed rows brought to zero goes, for the operations that remove rows.
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM usage_completeness_months WHERE checkpoints = 0
      AND month IN (SELECT DISTINCT date_trunc('month', day)::date FROM usage_months_rollup_old);
  END IF;
  RETURN NULL;
END;
$function$;
