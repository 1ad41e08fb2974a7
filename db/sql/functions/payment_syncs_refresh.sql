-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.payment_syncs_refresh(ids text[])
 RETURNS void
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_custom_plan'
AS $function$
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
    first_update_at = excluded.first_update_at
  -- Left as it is when it reads as it did (erp_postings_refresh).
  WHERE (payment_syncs.received_at, payment_syncs.invoice_id, payment_syncs.entity,
      payment_syncs.first_update_at)
    IS DISTINCT FROM (excluded.received_at, excluded.invoice_id, excluded.entity,
      excluded.first_update_at);
END;
$function$;
