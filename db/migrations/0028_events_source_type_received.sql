CREATE INDEX IF NOT EXISTS "events_source_type_received_idx" ON "events" USING btree ("source","type","received_at");
