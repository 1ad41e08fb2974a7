-- A shard in the key of every additive KPI rollup (db/schema/columns.ts rollupShard): a
-- transaction adds its counts to the rows of its own shard (closeline_rollup_shard() in
-- db/sql), so concurrent batches stop waiting for one another on today's rows. The rows there
-- are become shard 0, what one writer alone uses. event_lag_day_stats keeps the vector of
-- the day's shard versions its figures were computed at (db/queries/event-lag.ts).
--
-- Every batch is held back first, the tables it writes in the order it writes them (events,
-- then usage_checkpoints, whose triggers write the rollups): the start applies the new
-- trigger functions in this same transaction (db/migrate.ts), and a batch must not meet a
-- rollup with the new key and the old function, or the reverse. Each table is then rewritten
-- by one statement: its column, and its key rebuilt with the shard last, so every reader's
-- index range is the same prefix as before. The rollups hold a row per key and period, not
-- per event: rebuilding their keys is short next to the events' indexes.
LOCK TABLE "events", "usage_checkpoints" IN SHARE ROW EXCLUSIVE MODE;
--> statement-breakpoint
ALTER TABLE "event_lag_days" ADD COLUMN "shard" smallint DEFAULT 0 NOT NULL,
  DROP CONSTRAINT "event_lag_days_day_entity_bucket_pk",
  ADD CONSTRAINT "event_lag_days_day_entity_bucket_shard_pk" PRIMARY KEY("day","entity","bucket","shard");
--> statement-breakpoint
ALTER TABLE "event_lag_hours" ADD COLUMN "shard" smallint DEFAULT 0 NOT NULL,
  DROP CONSTRAINT "event_lag_hours_hour_entity_bucket_pk",
  ADD CONSTRAINT "event_lag_hours_hour_entity_bucket_shard_pk" PRIMARY KEY("hour","entity","bucket","shard");
--> statement-breakpoint
ALTER TABLE "event_lag_fine_days" ADD COLUMN "shard" smallint DEFAULT 0 NOT NULL,
  DROP CONSTRAINT "event_lag_fine_days_fine_day_entity_pk",
  ADD CONSTRAINT "event_lag_fine_days_fine_day_entity_shard_pk" PRIMARY KEY("fine","day","entity","shard");
--> statement-breakpoint
ALTER TABLE "event_lag_value_days" ADD COLUMN "shard" smallint DEFAULT 0 NOT NULL,
  DROP CONSTRAINT "event_lag_value_days_fine_day_entity_lag_ms_pk",
  ADD CONSTRAINT "event_lag_value_days_fine_day_entity_lag_ms_shard_pk" PRIMARY KEY("fine","day","entity","lag_ms","shard");
--> statement-breakpoint
ALTER TABLE "event_lag_months" ADD COLUMN "shard" smallint DEFAULT 0 NOT NULL,
  DROP CONSTRAINT "event_lag_months_month_entity_bucket_pk",
  ADD CONSTRAINT "event_lag_months_month_entity_bucket_shard_pk" PRIMARY KEY("month","entity","bucket","shard");
--> statement-breakpoint
ALTER TABLE "event_lag_day_versions" ADD COLUMN "shard" smallint DEFAULT 0 NOT NULL,
  DROP CONSTRAINT "event_lag_day_versions_pkey",
  ADD CONSTRAINT "event_lag_day_versions_day_shard_pk" PRIMARY KEY("day","shard");
--> statement-breakpoint
ALTER TABLE "event_lag_day_stats" ADD COLUMN "versions" text DEFAULT '' NOT NULL;
--> statement-breakpoint
-- A day's stored figures were computed at its one version, now shard 0's: the same state.
UPDATE "event_lag_day_stats" SET "versions" = '0:' || "version";
--> statement-breakpoint
ALTER TABLE "usage_completeness_days" ADD COLUMN "shard" smallint DEFAULT 0 NOT NULL,
  DROP CONSTRAINT "usage_completeness_days_day_entity_source_meter_pk",
  ADD CONSTRAINT "usage_completeness_days_day_entity_source_meter_shard_pk" PRIMARY KEY("day","entity","source","meter","shard");
--> statement-breakpoint
ALTER TABLE "usage_completeness_entity_days" ADD COLUMN "shard" smallint DEFAULT 0 NOT NULL,
  DROP CONSTRAINT "usage_completeness_entity_days_day_entity_pk",
  ADD CONSTRAINT "usage_completeness_entity_days_day_entity_shard_pk" PRIMARY KEY("day","entity","shard");
--> statement-breakpoint
ALTER TABLE "usage_completeness_months" ADD COLUMN "shard" smallint DEFAULT 0 NOT NULL,
  DROP CONSTRAINT "usage_completeness_months_month_entity_source_meter_pk",
  ADD CONSTRAINT "usage_completeness_months_month_entity_source_meter_shard_pk" PRIMARY KEY("month","entity","source","meter","shard");
