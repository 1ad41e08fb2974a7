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
-- Filled from the events there are while the lock holds back every batch until the function
-- and triggers that keep the table (db/sql: event_lag_value_days_apply) are there: the start
-- applies them in this same transaction, after the migrations (db/migrate.ts), so no event is
-- counted twice or missed.
LOCK TABLE "events" IN SHARE ROW EXCLUSIVE MODE;
--> statement-breakpoint
INSERT INTO event_lag_value_days (fine, day, entity, lag_ms, events)
SELECT closeline_lag_fine_bucket(lag_ms), (received_at AT TIME ZONE 'UTC')::date,
  coalesce(entity, ''), lag_ms, count(*)
FROM events GROUP BY 1, 2, 3, 4;
