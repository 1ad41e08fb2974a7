-- Event lag percentiles over long ranges without sorting every event (issue 4): a histogram
-- of lag buckets per day, kept exact by triggers, and the final exact values read from one
-- bucket through an index. See db/queries/event-lag.ts.
--
-- The bucket of a lag in ms: one per ms below 64 ms, then 32 per doubling (about 3% wide),
-- all negative lags (clock skew) in -1. Non-decreasing in the lag, which is all the
-- percentile search needs; the floor(log2) may land one off at an exact power of two and
-- the formula still gives the same bucket either way.
CREATE FUNCTION closeline_lag_bucket(ms double precision) RETURNS integer
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE
    WHEN ms < 0 THEN -1
    WHEN ms < 64 THEN floor(ms)::integer
    ELSE (32 * floor(ln(ms) / ln(2)) - 160 + floor(ms / power(2::double precision, floor(ln(ms) / ln(2)) - 5)))::integer
  END;
--> statement-breakpoint
CREATE TABLE "event_lag_days" (
	"day" date NOT NULL,
	"entity" text NOT NULL,
	"bucket" integer NOT NULL,
	"events" bigint NOT NULL,
	CONSTRAINT "event_lag_days_day_entity_bucket_pk" PRIMARY KEY("day","entity","bucket")
);
--> statement-breakpoint
DROP INDEX "events_received_at_idx";--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "lag_ms" double precision GENERATED ALWAYS AS (((extract(epoch from (received_at - "time")) * 1000)::double precision)) STORED;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "lag_bucket" integer GENERATED ALWAYS AS (closeline_lag_bucket(((extract(epoch from (received_at - "time")) * 1000)::double precision))) STORED;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "entity" text GENERATED ALWAYS AS ((data ->> 'entity')) STORED;--> statement-breakpoint
CREATE INDEX "events_lag_bucket_idx" ON "events" USING btree ("lag_bucket","received_at","lag_ms","entity");--> statement-breakpoint
CREATE INDEX "events_received_at_idx" ON "events" USING btree ("received_at","lag_bucket","entity");--> statement-breakpoint
-- Every change to events reaches the histogram in the same statement, whoever makes it
-- (ingestion, retention, an operator's DELETE). Rows are upserted in key order, so two
-- transactions touching the same days lock them in the same order and cannot deadlock;
-- a removal is an upsert of a negative count, then the buckets it emptied go.
CREATE FUNCTION event_lag_days_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- The ingestion lock (lib/exceptions/detect.ts) before any rollup row: every trigger that
  -- keeps a KPI table takes it first, so no two writers can lock rollup rows and the lock in
  -- opposite orders (a deadlock).
  PERFORM pg_advisory_xact_lock(7340003);
  -- A transition table exists only for the operations its trigger names, hence the branches.
  IF TG_OP = 'INSERT' THEN
    INSERT INTO event_lag_days (day, entity, bucket, events)
    SELECT (received_at AT TIME ZONE 'UTC')::date, coalesce(entity, ''), lag_bucket, count(*)
    FROM event_lag_new GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (day, entity, bucket) DO UPDATE SET events = event_lag_days.events + excluded.events;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO event_lag_days (day, entity, bucket, events)
    SELECT (received_at AT TIME ZONE 'UTC')::date, coalesce(entity, ''), lag_bucket, -count(*)
    FROM event_lag_old GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (day, entity, bucket) DO UPDATE SET events = event_lag_days.events + excluded.events;
    DELETE FROM event_lag_days WHERE events = 0
      AND day IN (SELECT DISTINCT (received_at AT TIME ZONE 'UTC')::date FROM event_lag_old);
  ELSE
    INSERT INTO event_lag_days (day, entity, bucket, events)
    SELECT day, entity, bucket, sum(n)::bigint FROM (
      SELECT (received_at AT TIME ZONE 'UTC')::date AS day, coalesce(entity, '') AS entity,
        lag_bucket AS bucket, 1 AS n FROM event_lag_new
      UNION ALL
      SELECT (received_at AT TIME ZONE 'UTC')::date, coalesce(entity, ''), lag_bucket, -1
      FROM event_lag_old
    ) changes
    GROUP BY 1, 2, 3 HAVING sum(n) <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (day, entity, bucket) DO UPDATE SET events = event_lag_days.events + excluded.events;
    DELETE FROM event_lag_days WHERE events = 0
      AND day IN (SELECT DISTINCT (received_at AT TIME ZONE 'UTC')::date FROM event_lag_old);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER events_lag_days_insert AFTER INSERT ON events
  REFERENCING NEW TABLE AS event_lag_new
  FOR EACH STATEMENT EXECUTE FUNCTION event_lag_days_apply();
--> statement-breakpoint
CREATE TRIGGER events_lag_days_update AFTER UPDATE ON events
  REFERENCING OLD TABLE AS event_lag_old NEW TABLE AS event_lag_new
  FOR EACH STATEMENT EXECUTE FUNCTION event_lag_days_apply();
--> statement-breakpoint
CREATE TRIGGER events_lag_days_delete AFTER DELETE ON events
  REFERENCING OLD TABLE AS event_lag_old
  FOR EACH STATEMENT EXECUTE FUNCTION event_lag_days_apply();
--> statement-breakpoint
CREATE FUNCTION event_lag_days_clear() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM event_lag_days;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER events_lag_days_truncate AFTER TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION event_lag_days_clear();
--> statement-breakpoint
-- The events already stored.
INSERT INTO event_lag_days (day, entity, bucket, events)
SELECT (received_at AT TIME ZONE 'UTC')::date, coalesce(entity, ''), lag_bucket, count(*)
FROM events GROUP BY 1, 2, 3;
