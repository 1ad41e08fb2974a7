CREATE TABLE "event_lag_day_stats" (
	"day" date NOT NULL,
	"entity" text NOT NULL,
	"version" bigint NOT NULL,
	"events" bigint NOT NULL,
	"p50_ms" double precision,
	"p95_ms" double precision,
	CONSTRAINT "event_lag_day_stats_day_entity_pk" PRIMARY KEY("day","entity")
);
--> statement-breakpoint
CREATE TABLE "event_lag_day_versions" (
	"day" date PRIMARY KEY NOT NULL,
	"version" bigint NOT NULL
);
--> statement-breakpoint
-- Every statement that changes events bumps the version of each UTC day of receipt it
-- touched, whatever it changed (even an update that leaves the day's histogram as it was
-- but moves a lag within a bucket). Under the ingestion lock like the other KPI triggers,
-- days in key order.
CREATE FUNCTION event_lag_day_versions_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(7340003);
  -- A transition table exists only for the operations its trigger names, hence the branches.
  IF TG_OP = 'INSERT' THEN
    INSERT INTO event_lag_day_versions AS v (day, version)
    SELECT DISTINCT (received_at AT TIME ZONE 'UTC')::date, 1 FROM event_lag_new ORDER BY 1
    ON CONFLICT (day) DO UPDATE SET version = v.version + 1;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO event_lag_day_versions AS v (day, version)
    SELECT DISTINCT (received_at AT TIME ZONE 'UTC')::date, 1 FROM event_lag_old ORDER BY 1
    ON CONFLICT (day) DO UPDATE SET version = v.version + 1;
  ELSE
    INSERT INTO event_lag_day_versions AS v (day, version)
    SELECT (received_at AT TIME ZONE 'UTC')::date, 1 FROM event_lag_new
    UNION SELECT (received_at AT TIME ZONE 'UTC')::date, 1 FROM event_lag_old ORDER BY 1
    ON CONFLICT (day) DO UPDATE SET version = v.version + 1;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER events_lag_day_versions_insert AFTER INSERT ON events
  REFERENCING NEW TABLE AS event_lag_new
  FOR EACH STATEMENT EXECUTE FUNCTION event_lag_day_versions_bump();
--> statement-breakpoint
CREATE TRIGGER events_lag_day_versions_update AFTER UPDATE ON events
  REFERENCING OLD TABLE AS event_lag_old NEW TABLE AS event_lag_new
  FOR EACH STATEMENT EXECUTE FUNCTION event_lag_day_versions_bump();
--> statement-breakpoint
CREATE TRIGGER events_lag_day_versions_delete AFTER DELETE ON events
  REFERENCING OLD TABLE AS event_lag_old
  FOR EACH STATEMENT EXECUTE FUNCTION event_lag_day_versions_bump();
--> statement-breakpoint
-- After a TRUNCATE every day starts again from nothing: no stored figure may survive it.
CREATE FUNCTION event_lag_day_stats_clear() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM event_lag_day_stats;
  UPDATE event_lag_day_versions SET version = version + 1;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER events_lag_day_stats_truncate AFTER TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION event_lag_day_stats_clear();
--> statement-breakpoint
INSERT INTO event_lag_day_versions (day, version)
SELECT DISTINCT day, 1 FROM event_lag_days;
