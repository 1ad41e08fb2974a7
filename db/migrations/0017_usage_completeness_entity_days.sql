CREATE TABLE "usage_completeness_entity_days" (
	"day" date NOT NULL,
	"entity" text NOT NULL,
	"checkpoints" bigint NOT NULL,
	"expected" bigint NOT NULL,
	"received" bigint NOT NULL,
	"missing" bigint NOT NULL,
	CONSTRAINT "usage_completeness_entity_days_day_entity_pk" PRIMARY KEY("day","entity")
);
--> statement-breakpoint
-- Kept from usage_completeness_days, not from the checkpoints: every change to the finer
-- rollup (its triggers already hold the ingestion lock) is passed on as the difference of
-- its new and old rows per day and entity, upserted in key order.
CREATE FUNCTION usage_completeness_entity_days_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
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
    DELETE FROM usage_completeness_entity_days WHERE checkpoints = 0
      AND day IN (SELECT DISTINCT day FROM usage_rollup_old);
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
    DELETE FROM usage_completeness_entity_days WHERE checkpoints = 0
      AND day IN (SELECT DISTINCT day FROM usage_rollup_old);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER usage_completeness_entity_days_insert AFTER INSERT ON usage_completeness_days
  REFERENCING NEW TABLE AS usage_rollup_new
  FOR EACH STATEMENT EXECUTE FUNCTION usage_completeness_entity_days_apply();
--> statement-breakpoint
CREATE TRIGGER usage_completeness_entity_days_update AFTER UPDATE ON usage_completeness_days
  REFERENCING OLD TABLE AS usage_rollup_old NEW TABLE AS usage_rollup_new
  FOR EACH STATEMENT EXECUTE FUNCTION usage_completeness_entity_days_apply();
--> statement-breakpoint
CREATE TRIGGER usage_completeness_entity_days_delete AFTER DELETE ON usage_completeness_days
  REFERENCING OLD TABLE AS usage_rollup_old
  FOR EACH STATEMENT EXECUTE FUNCTION usage_completeness_entity_days_apply();
--> statement-breakpoint
CREATE FUNCTION usage_completeness_entity_days_clear() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM usage_completeness_entity_days;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER usage_completeness_entity_days_truncate AFTER TRUNCATE ON usage_completeness_days
  FOR EACH STATEMENT EXECUTE FUNCTION usage_completeness_entity_days_clear();
--> statement-breakpoint
-- The usage_checkpoints clear trigger empties usage_completeness_days with DELETE, which
-- reaches this table through the delete trigger above. The rows already summed:
INSERT INTO usage_completeness_entity_days (day, entity, checkpoints, expected, received, missing)
SELECT day, entity, sum(checkpoints), sum(expected), sum(received), sum(missing)
FROM usage_completeness_days GROUP BY 1, 2;
