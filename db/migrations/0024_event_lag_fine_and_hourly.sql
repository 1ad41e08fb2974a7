-- A finer lag histogram for the final step of an event-lag percentile (issue 6: the KPI
-- figure at 50 M rows). That step reads and sorts every value of the histogram bucket
-- holding a rank, over the whole range: at 50 M rows ~30,000 values for the headline's p95
-- and as many again for the entities. Fine buckets are 8 to a bucket: the day histogram of
-- fine buckets says which one holds the rank, and only its values are read (an eighth).
--
-- The fine bucket of a lag in ms: 1/8 ms below 64 ms, then 256 per doubling, negative lags
-- in -1. Computed from the same floor(log2) as closeline_lag_bucket, so fine >> 3 is
-- always the bucket (at 64 ms and above: 256e − 1280 + ⌊ms / 2^(e−8)⌋, whose eighth is
-- 32e − 160 + ⌊ms / 2^(e−5)⌋).
--
-- And the lag histogram per UTC hour: an hourly series (ranges of two days or less) read
-- every event of its range, and a range's part-days the events of up to half a day (~50,000
-- events a day at 50 M rows). Whole hours now come from event_lag_hours, and only the minutes
-- beyond them from the events (db/queries/event-lag.ts).
CREATE FUNCTION closeline_lag_fine_bucket(ms double precision) RETURNS integer
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE
    WHEN ms < 0 THEN -1
    WHEN ms < 64 THEN floor(ms * 8)::integer
    ELSE (256 * floor(ln(ms) / ln(2)) - 1280 + floor(ms / power(2::double precision, floor(ln(ms) / ln(2)) - 8)))::integer
  END;
--> statement-breakpoint
CREATE TABLE "event_lag_fine_days" (
	"fine" integer NOT NULL,
	"day" date NOT NULL,
	"entity" text NOT NULL,
	"events" bigint NOT NULL,
	CONSTRAINT "event_lag_fine_days_fine_day_entity_pk" PRIMARY KEY("fine","day","entity")
);
--> statement-breakpoint
CREATE TABLE "event_lag_hours" (
	"hour" timestamp with time zone NOT NULL,
	"entity" text NOT NULL,
	"bucket" integer NOT NULL,
	"events" bigint NOT NULL,
	CONSTRAINT "event_lag_hours_hour_entity_bucket_pk" PRIMARY KEY("hour","entity","bucket")
);
--> statement-breakpoint
CREATE INDEX "event_lag_fine_days_read_idx" ON "event_lag_fine_days" USING btree ("fine","day","entity","events");--> statement-breakpoint
CREATE INDEX "event_lag_hours_read_idx" ON "event_lag_hours" USING btree ("hour","entity","bucket","events");--> statement-breakpoint
-- 0013's function, now keeping the day, hour and fine histograms from the same transition
-- tables. Rows are upserted in key order (see 0013); emptied fine rows are deleted by key, as
-- that table is led by the bucket, not the day.
CREATE OR REPLACE FUNCTION event_lag_days_apply() RETURNS trigger
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
    INSERT INTO event_lag_hours AS h (hour, entity, bucket, events)
    SELECT date_trunc('hour', received_at, 'UTC'), coalesce(entity, ''), lag_bucket, count(*)
    FROM event_lag_new GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (hour, entity, bucket) DO UPDATE SET events = h.events + excluded.events;
    INSERT INTO event_lag_fine_days AS f (fine, day, entity, events)
    SELECT closeline_lag_fine_bucket(lag_ms), (received_at AT TIME ZONE 'UTC')::date,
      coalesce(entity, ''), count(*)
    FROM event_lag_new GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (fine, day, entity) DO UPDATE SET events = f.events + excluded.events;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO event_lag_days (day, entity, bucket, events)
    SELECT (received_at AT TIME ZONE 'UTC')::date, coalesce(entity, ''), lag_bucket, -count(*)
    FROM event_lag_old GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (day, entity, bucket) DO UPDATE SET events = event_lag_days.events + excluded.events;
    DELETE FROM event_lag_days WHERE events = 0
      AND day IN (SELECT DISTINCT (received_at AT TIME ZONE 'UTC')::date FROM event_lag_old);
    INSERT INTO event_lag_hours AS h (hour, entity, bucket, events)
    SELECT date_trunc('hour', received_at, 'UTC'), coalesce(entity, ''), lag_bucket, -count(*)
    FROM event_lag_old GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (hour, entity, bucket) DO UPDATE SET events = h.events + excluded.events;
    DELETE FROM event_lag_hours WHERE events = 0
      AND hour IN (SELECT DISTINCT date_trunc('hour', received_at, 'UTC') FROM event_lag_old);
    INSERT INTO event_lag_fine_days AS f (fine, day, entity, events)
    SELECT closeline_lag_fine_bucket(lag_ms), (received_at AT TIME ZONE 'UTC')::date,
      coalesce(entity, ''), -count(*)
    FROM event_lag_old GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (fine, day, entity) DO UPDATE SET events = f.events + excluded.events;
    DELETE FROM event_lag_fine_days f
    USING (SELECT DISTINCT closeline_lag_fine_bucket(lag_ms) AS fine,
        (received_at AT TIME ZONE 'UTC')::date AS day, coalesce(entity, '') AS entity
      FROM event_lag_old) k
    WHERE f.fine = k.fine AND f.day = k.day AND f.entity = k.entity AND f.events = 0;
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
    INSERT INTO event_lag_hours AS h (hour, entity, bucket, events)
    SELECT hour, entity, bucket, sum(n)::bigint FROM (
      SELECT date_trunc('hour', received_at, 'UTC') AS hour, coalesce(entity, '') AS entity, lag_bucket AS bucket, 1 AS n
      FROM event_lag_new
      UNION ALL
      SELECT date_trunc('hour', received_at, 'UTC'), coalesce(entity, ''), lag_bucket, -1 FROM event_lag_old
    ) changes
    GROUP BY 1, 2, 3 HAVING sum(n) <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (hour, entity, bucket) DO UPDATE SET events = h.events + excluded.events;
    DELETE FROM event_lag_hours WHERE events = 0
      AND hour IN (SELECT DISTINCT date_trunc('hour', received_at, 'UTC') FROM event_lag_old);
    INSERT INTO event_lag_fine_days AS f (fine, day, entity, events)
    SELECT fine, day, entity, sum(n)::bigint FROM (
      SELECT closeline_lag_fine_bucket(lag_ms) AS fine, (received_at AT TIME ZONE 'UTC')::date AS day,
        coalesce(entity, '') AS entity, 1 AS n FROM event_lag_new
      UNION ALL
      SELECT closeline_lag_fine_bucket(lag_ms), (received_at AT TIME ZONE 'UTC')::date,
        coalesce(entity, ''), -1
      FROM event_lag_old
    ) changes
    GROUP BY 1, 2, 3 HAVING sum(n) <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (fine, day, entity) DO UPDATE SET events = f.events + excluded.events;
    DELETE FROM event_lag_fine_days f
    USING (SELECT DISTINCT closeline_lag_fine_bucket(lag_ms) AS fine,
        (received_at AT TIME ZONE 'UTC')::date AS day, coalesce(entity, '') AS entity
      FROM event_lag_old) k
    WHERE f.fine = k.fine AND f.day = k.day AND f.entity = k.entity AND f.events = 0;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION event_lag_days_clear() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM event_lag_days;
  DELETE FROM event_lag_fine_days;
  DELETE FROM event_lag_hours;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- The events already stored.
INSERT INTO event_lag_fine_days (fine, day, entity, events)
SELECT closeline_lag_fine_bucket(lag_ms), (received_at AT TIME ZONE 'UTC')::date,
  coalesce(entity, ''), count(*)
FROM events GROUP BY 1, 2, 3;
--> statement-breakpoint
INSERT INTO event_lag_hours (hour, entity, bucket, events)
SELECT date_trunc('hour', received_at, 'UTC'), coalesce(entity, ''), lag_bucket, count(*)
FROM events GROUP BY 1, 2, 3;
--> statement-breakpoint
CREATE INDEX "events_lag_fine_idx" ON "events" USING btree (closeline_lag_fine_bucket("lag_ms"),"received_at","lag_ms","entity");--> statement-breakpoint
DROP INDEX "events_lag_bucket_idx";
