-- Month rollups of the two daily KPI rollups (issue 6: the KPI figure at 50 M rows). A range
-- of a month reads the calendar month holding most of it less the days outside the range
-- (db/queries/whole-days.ts), instead of ~30 days of rows per key. Each is kept from its
-- daily table as 0017 keeps usage_completeness_entity_days: every change to a day row (its
-- triggers already hold the ingestion lock) is passed on as the difference of its new and
-- old rows per month and key, upserted in key order; months left empty go.
CREATE TABLE "event_lag_months" (
	"month" date NOT NULL,
	"entity" text NOT NULL,
	"bucket" integer NOT NULL,
	"events" bigint NOT NULL,
	CONSTRAINT "event_lag_months_month_entity_bucket_pk" PRIMARY KEY("month","entity","bucket")
);
--> statement-breakpoint
CREATE TABLE "usage_completeness_months" (
	"month" date NOT NULL,
	"entity" text NOT NULL,
	"source" text NOT NULL,
	"meter" text NOT NULL,
	"checkpoints" bigint NOT NULL,
	"expected" bigint NOT NULL,
	"received" bigint NOT NULL,
	"missing" bigint NOT NULL,
	CONSTRAINT "usage_completeness_months_month_entity_source_meter_pk" PRIMARY KEY("month","entity","source","meter")
);
--> statement-breakpoint
CREATE FUNCTION event_lag_months_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- A transition table exists only for the operations its trigger names: a missing one is
  -- read as empty through the branches.
  IF TG_OP = 'INSERT' THEN
    INSERT INTO event_lag_months AS m (month, entity, bucket, events)
    SELECT date_trunc('month', day)::date, entity, bucket, sum(events)::bigint
    FROM event_lag_rollup_new GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (month, entity, bucket) DO UPDATE SET events = m.events + excluded.events;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO event_lag_months AS m (month, entity, bucket, events)
    SELECT date_trunc('month', day)::date, entity, bucket, -sum(events)::bigint
    FROM event_lag_rollup_old GROUP BY 1, 2, 3 HAVING sum(events) <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (month, entity, bucket) DO UPDATE SET events = m.events + excluded.events;
    DELETE FROM event_lag_months WHERE events = 0
      AND month IN (SELECT DISTINCT date_trunc('month', day)::date FROM event_lag_rollup_old);
  ELSE
    INSERT INTO event_lag_months AS m (month, entity, bucket, events)
    SELECT month, entity, bucket, sum(events)::bigint FROM (
      SELECT date_trunc('month', day)::date AS month, entity, bucket, events FROM event_lag_rollup_new
      UNION ALL
      SELECT date_trunc('month', day)::date, entity, bucket, -events FROM event_lag_rollup_old
    ) changes
    GROUP BY 1, 2, 3 HAVING sum(events) <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (month, entity, bucket) DO UPDATE SET events = m.events + excluded.events;
    DELETE FROM event_lag_months WHERE events = 0
      AND month IN (SELECT DISTINCT date_trunc('month', day)::date FROM event_lag_rollup_old);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER event_lag_months_insert AFTER INSERT ON event_lag_days
  REFERENCING NEW TABLE AS event_lag_rollup_new
  FOR EACH STATEMENT EXECUTE FUNCTION event_lag_months_apply();
--> statement-breakpoint
CREATE TRIGGER event_lag_months_update AFTER UPDATE ON event_lag_days
  REFERENCING OLD TABLE AS event_lag_rollup_old NEW TABLE AS event_lag_rollup_new
  FOR EACH STATEMENT EXECUTE FUNCTION event_lag_months_apply();
--> statement-breakpoint
CREATE TRIGGER event_lag_months_delete AFTER DELETE ON event_lag_days
  REFERENCING OLD TABLE AS event_lag_rollup_old
  FOR EACH STATEMENT EXECUTE FUNCTION event_lag_months_apply();
--> statement-breakpoint
CREATE FUNCTION event_lag_months_clear() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM event_lag_months;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- (TRUNCATE events empties event_lag_days with DELETE, which reaches the months above.)
CREATE TRIGGER event_lag_months_truncate AFTER TRUNCATE ON event_lag_days
  FOR EACH STATEMENT EXECUTE FUNCTION event_lag_months_clear();
--> statement-breakpoint
CREATE FUNCTION usage_completeness_months_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
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
    DELETE FROM usage_completeness_months WHERE checkpoints = 0
      AND month IN (SELECT DISTINCT date_trunc('month', day)::date FROM usage_months_rollup_old);
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
    DELETE FROM usage_completeness_months WHERE checkpoints = 0
      AND month IN (SELECT DISTINCT date_trunc('month', day)::date FROM usage_months_rollup_old);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER usage_completeness_months_insert AFTER INSERT ON usage_completeness_days
  REFERENCING NEW TABLE AS usage_months_rollup_new
  FOR EACH STATEMENT EXECUTE FUNCTION usage_completeness_months_apply();
--> statement-breakpoint
CREATE TRIGGER usage_completeness_months_update AFTER UPDATE ON usage_completeness_days
  REFERENCING OLD TABLE AS usage_months_rollup_old NEW TABLE AS usage_months_rollup_new
  FOR EACH STATEMENT EXECUTE FUNCTION usage_completeness_months_apply();
--> statement-breakpoint
CREATE TRIGGER usage_completeness_months_delete AFTER DELETE ON usage_completeness_days
  REFERENCING OLD TABLE AS usage_months_rollup_old
  FOR EACH STATEMENT EXECUTE FUNCTION usage_completeness_months_apply();
--> statement-breakpoint
CREATE FUNCTION usage_completeness_months_clear() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM usage_completeness_months;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER usage_completeness_months_truncate AFTER TRUNCATE ON usage_completeness_days
  FOR EACH STATEMENT EXECUTE FUNCTION usage_completeness_months_clear();
--> statement-breakpoint
-- The days already summed.
INSERT INTO event_lag_months (month, entity, bucket, events)
SELECT date_trunc('month', day)::date, entity, bucket, sum(events)::bigint
FROM event_lag_days GROUP BY 1, 2, 3;
--> statement-breakpoint
INSERT INTO usage_completeness_months (month, entity, source, meter, checkpoints, expected, received, missing)
SELECT date_trunc('month', day)::date, entity, source, meter, sum(checkpoints), sum(expected),
  sum(received), sum(missing)
FROM usage_completeness_days GROUP BY 1, 2, 3, 4;
