-- Usage completeness over long ranges without reading every checkpoint of the range: the
-- checkpoints summed per UTC day of window_end, entity, source and meter, kept exact by
-- triggers, so that a month is ~30 days of sums plus the part-days at either end. See
-- db/queries/usage-completeness.ts.
CREATE TABLE "usage_completeness_days" (
	"day" date NOT NULL,
	"entity" text NOT NULL,
	"source" text NOT NULL,
	"meter" text NOT NULL,
	"checkpoints" bigint NOT NULL,
	"expected" bigint NOT NULL,
	"received" bigint NOT NULL,
	"missing" bigint NOT NULL,
	CONSTRAINT "usage_completeness_days_day_entity_source_meter_pk" PRIMARY KEY("day","entity","source","meter")
);
--> statement-breakpoint
-- Every change to usage_checkpoints reaches the rollup in the same statement, whoever makes
-- it: ingestion (INSERT ... ON CONFLICT DO UPDATE fires the insert trigger for the new
-- windows and the update trigger for the superseded ones, each with only its own rows),
-- retention, an operator's DELETE. Rows are upserted in key order, so two transactions
-- touching the same days lock them in the same order and cannot deadlock; a removal is an
-- upsert of negative sums, then the rows left without a checkpoint go. `missing` is summed
-- per checkpoint (a surplus in one window does not make up for a gap in another).
CREATE FUNCTION usage_completeness_days_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
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
    DELETE FROM usage_completeness_days WHERE checkpoints = 0
      AND day IN (SELECT DISTINCT (window_end AT TIME ZONE 'UTC')::date FROM usage_completeness_old);
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
    DELETE FROM usage_completeness_days WHERE checkpoints = 0
      AND day IN (SELECT DISTINCT (window_end AT TIME ZONE 'UTC')::date FROM usage_completeness_old);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER usage_checkpoints_completeness_days_insert AFTER INSERT ON usage_checkpoints
  REFERENCING NEW TABLE AS usage_completeness_new
  FOR EACH STATEMENT EXECUTE FUNCTION usage_completeness_days_apply();
--> statement-breakpoint
CREATE TRIGGER usage_checkpoints_completeness_days_update AFTER UPDATE ON usage_checkpoints
  REFERENCING OLD TABLE AS usage_completeness_old NEW TABLE AS usage_completeness_new
  FOR EACH STATEMENT EXECUTE FUNCTION usage_completeness_days_apply();
--> statement-breakpoint
CREATE TRIGGER usage_checkpoints_completeness_days_delete AFTER DELETE ON usage_checkpoints
  REFERENCING OLD TABLE AS usage_completeness_old
  FOR EACH STATEMENT EXECUTE FUNCTION usage_completeness_days_apply();
--> statement-breakpoint
CREATE FUNCTION usage_completeness_days_clear() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM usage_completeness_days;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- Also fires when usage_checkpoints is emptied by TRUNCATE events CASCADE.
CREATE TRIGGER usage_checkpoints_completeness_days_truncate AFTER TRUNCATE ON usage_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION usage_completeness_days_clear();
--> statement-breakpoint
-- The checkpoints already stored.
INSERT INTO usage_completeness_days (day, entity, source, meter, checkpoints, expected, received, missing)
SELECT (window_end AT TIME ZONE 'UTC')::date, entity, source, meter, count(*),
  sum(expected_count)::bigint, sum(received_count)::bigint,
  sum(greatest(expected_count - received_count, 0))::bigint
FROM usage_checkpoints GROUP BY 1, 2, 3, 4;
