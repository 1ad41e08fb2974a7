-- Each lag value's count per UTC day of receipt and entity (db/schema/telemetry.ts), so an
-- event-lag percentile's last step reads counts per distinct value instead of every event of
-- its fine bucket: on a busy day those reads grew with the day's events (bench/README.md,
-- "soak"). fillfactor 70 leaves room on each page for the count's updates to stay there.
CREATE TABLE "event_lag_value_days" (
	"fine" integer NOT NULL,
	"day" date NOT NULL,
	"entity" text NOT NULL,
	"lag_ms" double precision NOT NULL,
	"events" bigint NOT NULL,
	CONSTRAINT "event_lag_value_days_fine_day_entity_lag_ms_pk" PRIMARY KEY("fine","day","entity","lag_ms")
) WITH (fillfactor = 70);
--> statement-breakpoint
-- The function and its triggers here as well as in db/sql (the same text): created before the
-- table is filled, in this transaction, the triggers' lock on events holds back every batch
-- until the rows below are committed, so none is counted twice or missed.
CREATE OR REPLACE FUNCTION public.event_lag_value_days_apply()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  -- The ingestion lock first, as every trigger that keeps a KPI table (event_lag_days_apply).
  PERFORM pg_advisory_xact_lock(7340003);
  -- Each lag value's count per day and entity, under its fine bucket, upserted in key order
  -- (no deadlock). A transition table exists only for the operations its trigger names.
  IF TG_OP = 'INSERT' THEN
    INSERT INTO event_lag_value_days AS v (fine, day, entity, lag_ms, events)
    SELECT closeline_lag_fine_bucket(lag_ms), (received_at AT TIME ZONE 'UTC')::date,
      coalesce(entity, ''), lag_ms, count(*)
    FROM event_lag_new GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (fine, day, entity, lag_ms) DO UPDATE SET events = v.events + excluded.events;
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN
    INSERT INTO event_lag_value_days AS v (fine, day, entity, lag_ms, events)
    SELECT closeline_lag_fine_bucket(lag_ms), (received_at AT TIME ZONE 'UTC')::date,
      coalesce(entity, ''), lag_ms, -count(*)
    FROM event_lag_old GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (fine, day, entity, lag_ms) DO UPDATE SET events = v.events + excluded.events;
  ELSE
    INSERT INTO event_lag_value_days AS v (fine, day, entity, lag_ms, events)
    SELECT closeline_lag_fine_bucket(lag_ms), day, entity, lag_ms, sum(n)::bigint FROM (
      SELECT (received_at AT TIME ZONE 'UTC')::date AS day, coalesce(entity, '') AS entity,
        lag_ms, 1 AS n FROM event_lag_new
      UNION ALL
      SELECT (received_at AT TIME ZONE 'UTC')::date, coalesce(entity, ''), lag_ms, -1
      FROM event_lag_old
    ) changes
    GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4
    ON CONFLICT (fine, day, entity, lag_ms) DO UPDATE SET events = v.events + excluded.events;
  END IF;
  DELETE FROM event_lag_value_days v
  USING (SELECT DISTINCT closeline_lag_fine_bucket(lag_ms) AS fine,
      (received_at AT TIME ZONE 'UTC')::date AS day, coalesce(entity, '') AS entity, lag_ms
    FROM event_lag_old) k
  WHERE v.fine = k.fine AND v.day = k.day AND v.entity = k.entity AND v.lag_ms = k.lag_ms
    AND v.events = 0;
  RETURN NULL;
END;
$function$;
--> statement-breakpoint
CREATE TRIGGER events_lag_value_days_delete AFTER DELETE ON public.events REFERENCING OLD TABLE AS event_lag_old FOR EACH STATEMENT EXECUTE FUNCTION event_lag_value_days_apply();
--> statement-breakpoint
CREATE TRIGGER events_lag_value_days_insert AFTER INSERT ON public.events REFERENCING NEW TABLE AS event_lag_new FOR EACH STATEMENT EXECUTE FUNCTION event_lag_value_days_apply();
--> statement-breakpoint
CREATE TRIGGER events_lag_value_days_update AFTER UPDATE ON public.events REFERENCING OLD TABLE AS event_lag_old NEW TABLE AS event_lag_new FOR EACH STATEMENT EXECUTE FUNCTION event_lag_value_days_apply();
--> statement-breakpoint
INSERT INTO event_lag_value_days (fine, day, entity, lag_ms, events)
SELECT closeline_lag_fine_bucket(lag_ms), (received_at AT TIME ZONE 'UTC')::date,
  coalesce(entity, ''), lag_ms, count(*)
FROM events GROUP BY 1, 2, 3, 4;
