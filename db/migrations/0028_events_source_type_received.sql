-- The index on events by (source, type, received_at) is built after the migrations,
-- concurrently, so that an upgrade does not stop ingestion while it is built
-- (db/concurrent-indexes.ts).
SELECT 1;
