-- Cases docs/kpis.md used to leave open ("Cases the definitions settle" there).
--
-- 1. An event's entity is the one its type declares. data.entity on a type without one (a
--    payment, an entitlement update, a dispute) is kept in the event but names no entity,
--    for event lag as for the payment KPI, which takes the paid invoice's.
DROP INDEX IF EXISTS "events_received_at_idx";--> statement-breakpoint
DROP INDEX IF EXISTS "events_lag_fine_idx";--> statement-breakpoint
ALTER TABLE "events" DROP COLUMN "entity";--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "entity" text GENERATED ALWAYS AS ((CASE WHEN type IN ('usage.checkpoint', 'invoice.issued', 'erp.posting.attempted', 'reconciliation.result', 'contract.amended') THEN data ->> 'entity' END)) STORED;--> statement-breakpoint
CREATE INDEX "events_received_at_idx" ON "events" USING btree ("received_at","lag_bucket","entity");--> statement-breakpoint
CREATE INDEX "events_lag_fine_idx" ON "events" USING btree (closeline_lag_fine_bucket("lag_ms"),"received_at","lag_ms","entity");--> statement-breakpoint
-- The lag histograms are counted again only where an event moved (one of those types that
-- carried a data.entity anyway): most databases hold none and skip the full scan.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM events WHERE entity IS NULL AND data ->> 'entity' IS NOT NULL) THEN
    -- event_lag_months follows event_lag_days through its triggers (0023).
    DELETE FROM event_lag_days;
    INSERT INTO event_lag_days (day, entity, bucket, events)
    SELECT (received_at AT TIME ZONE 'UTC')::date, coalesce(entity, ''), lag_bucket, count(*)
    FROM events GROUP BY 1, 2, 3;
    DELETE FROM event_lag_hours;
    INSERT INTO event_lag_hours (hour, entity, bucket, events)
    SELECT date_trunc('hour', received_at, 'UTC'), coalesce(entity, ''), lag_bucket, count(*)
    FROM events GROUP BY 1, 2, 3;
    DELETE FROM event_lag_fine_days;
    INSERT INTO event_lag_fine_days (fine, day, entity, events)
    SELECT closeline_lag_fine_bucket(lag_ms), (received_at AT TIME ZONE 'UTC')::date,
      coalesce(entity, ''), count(*)
    FROM events GROUP BY 1, 2, 3;
    -- Every day's cached percentiles are stale (as after a TRUNCATE, 0018).
    DELETE FROM event_lag_day_stats;
    UPDATE event_lag_day_versions SET version = version + 1;
  END IF;
END;
$$;--> statement-breakpoint
-- 2. An entitlement update made before its payment was received synced it at once: 0 ms,
--    never a negative time. first_update_at stays the update's own time.
ALTER TABLE "payment_syncs" DROP COLUMN "sync_ms";--> statement-breakpoint
ALTER TABLE "payment_syncs" ADD COLUMN "sync_ms" double precision GENERATED ALWAYS AS ((CASE WHEN first_update_at < received_at THEN 0::double precision ELSE ((extract(epoch from (first_update_at - received_at)) * 1000)::double precision) END)) STORED;--> statement-breakpoint
CREATE INDEX "payment_syncs_received_idx" ON "payment_syncs" USING btree ("received_at","entity","first_update_at","sync_ms");--> statement-breakpoint
CREATE INDEX "payment_syncs_entity_received_idx" ON "payment_syncs" USING btree ("entity","received_at","first_update_at","sync_ms");--> statement-breakpoint
-- 3. A blank error code is no code: the KPI counts it as "(none)" with the rest.
UPDATE erp_posting_attempts SET error_code = NULL WHERE btrim(error_code) = '';--> statement-breakpoint
-- 4. Two events equal in time and id from different sources: the greater source (byte
--    order) wins, so the tables that keep one row per key keep the event's source.
ALTER TABLE "erp_posting_attempts" ADD COLUMN "event_source" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "event_source" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "reconciliation_results" ADD COLUMN "event_source" text DEFAULT '' NOT NULL;--> statement-breakpoint
UPDATE erp_posting_attempts x SET event_source = e.source FROM events e WHERE e.seq = x.event_seq;--> statement-breakpoint
UPDATE payments x SET event_source = e.source FROM events e WHERE e.seq = x.event_seq;--> statement-breakpoint
UPDATE reconciliation_results x SET event_source = e.source FROM events e WHERE e.seq = x.event_seq;
