-- Cases docs/kpis.md used to leave open ("Cases the definitions settle" there). Nothing
-- here rewrites a big table or builds an index on one: new columns are nullable without a
-- default (no rewrite), and rows stored before keep null where the code reads their event
-- instead (docs/reliability.md, "Schema changes on a live install").
--
-- The tables are taken in ingestion's order: events first, so no batch is half-way through
-- when the projection tables below are altered (a batch waits a moment, never deadlocks).
LOCK TABLE "events" IN SHARE ROW EXCLUSIVE MODE;--> statement-breakpoint
-- 1. Two events equal in time and id from different sources: the greater source (byte
--    order) wins, so the tables that keep one row per key keep the event's source.
ALTER TABLE "erp_posting_attempts" ADD COLUMN "event_source" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "event_source" text;--> statement-breakpoint
ALTER TABLE "reconciliation_results" ADD COLUMN "event_source" text;--> statement-breakpoint
-- 2. A payment's entity is its invoice's; one naming no invoice Closeline knows has the
--    entity it names itself (data.entity), as its event lag already did.
ALTER TABLE "payments" ADD COLUMN "entity" text;--> statement-breakpoint
CREATE OR REPLACE FUNCTION payment_syncs_refresh(ids text[]) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan AS $$
BEGIN
  DELETE FROM payment_syncs s WHERE s.payment_id = ANY(ids)
    AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.payment_id = s.payment_id OFFSET 0);
  INSERT INTO payment_syncs (payment_id, received_at, invoice_id, entity, first_update_at)
  SELECT p.payment_id, p.received_at, p.invoice_id,
    coalesce((SELECT i.entity FROM invoices i WHERE i.invoice_id = p.invoice_id), p.entity),
    (SELECT min(u.updated_at) FROM entitlement_updates u WHERE u.payment_id = p.payment_id)
  FROM (SELECT DISTINCT unnest(ids) AS payment_id) k
  CROSS JOIN LATERAL (SELECT * FROM payments x WHERE x.payment_id = k.payment_id OFFSET 0) p
  ORDER BY p.payment_id
  ON CONFLICT (payment_id) DO UPDATE SET received_at = excluded.received_at,
    invoice_id = excluded.invoice_id, entity = excluded.entity,
    first_update_at = excluded.first_update_at;
END;
$$;
--> statement-breakpoint
-- The payments stored before that named an entity; their payment_syncs rows follow through
-- the payments trigger (0015). Most installs have none.
UPDATE payments p SET entity = e.data ->> 'entity'
FROM events e
WHERE e.seq = p.event_seq AND e.data ->> 'entity' IS NOT NULL;
