-- The erp_postings and payment_syncs triggers (0015) cost more with every batch as the
-- tables grew: PL/pgSQL plans a statement once per connection, on the statistics of that
-- moment, and on a young database the planner turned each lookup by key into a join over the
-- whole table (a seq scan of every attempt, posting, payment and payment summary, under the
-- ingestion lock). `npm run soak` fell from 3,000 to 1,100 events/s in ten minutes.
--
-- Now every lookup is by key whatever the statistics say: OFFSET 0 keeps a subquery from
-- being flattened (a lateral lookup into a join, a NOT EXISTS into an anti join), and the
-- functions plan each statement for the ids it is given (plan_cache_mode), not once for all.
CREATE OR REPLACE FUNCTION erp_postings_refresh(ids text[]) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan AS $$
BEGIN
  DELETE FROM erp_postings p WHERE p.posting_id = ANY(ids)
    AND NOT EXISTS (SELECT 1 FROM erp_posting_attempts a WHERE a.posting_id = p.posting_id OFFSET 0);
  INSERT INTO erp_postings (posting_id, entity, invoice_id, first_attempted_at, first_pass,
    eventually, open_failure, first_success_at, attempts, failures, invoice_issued_at)
  SELECT k.posting_id, s.entity, s.invoice_id, s.first_attempted_at, s.first_pass, s.eventually,
    s.open_failure, s.first_success_at, s.attempts, s.failures,
    (SELECT i.issued_at FROM invoices i WHERE i.invoice_id = s.invoice_id)
  FROM (SELECT DISTINCT unnest(ids) AS posting_id) k
  CROSS JOIN LATERAL (
    SELECT
      (array_agg(a.entity ORDER BY a.attempt))[1] AS entity,
      (array_agg(a.invoice_id ORDER BY a.attempt))[1] AS invoice_id,
      (array_agg(a.attempted_at ORDER BY a.attempt))[1] AS first_attempted_at,
      -- Attempt 1 itself, not the lowest attempt known: a retry means the first did not succeed.
      bool_or(a.attempt = 1 AND a.status = 'succeeded') AS first_pass,
      bool_or(a.status = 'succeeded') AS eventually,
      (array_agg(a.status ORDER BY a.attempt DESC))[1] = 'failed' AS open_failure,
      min(a.attempted_at) FILTER (WHERE a.status = 'succeeded') AS first_success_at,
      count(*) AS attempts,
      count(*) FILTER (WHERE a.status = 'failed') AS failures
    FROM erp_posting_attempts a WHERE a.posting_id = k.posting_id
  ) s
  WHERE s.attempts > 0
  ORDER BY k.posting_id
  ON CONFLICT (posting_id) DO UPDATE SET entity = excluded.entity, invoice_id = excluded.invoice_id,
    first_attempted_at = excluded.first_attempted_at, first_pass = excluded.first_pass,
    eventually = excluded.eventually, open_failure = excluded.open_failure,
    first_success_at = excluded.first_success_at, attempts = excluded.attempts,
    failures = excluded.failures, invoice_issued_at = excluded.invoice_issued_at;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION payment_syncs_refresh(ids text[]) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan AS $$
BEGIN
  DELETE FROM payment_syncs s WHERE s.payment_id = ANY(ids)
    AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.payment_id = s.payment_id OFFSET 0);
  INSERT INTO payment_syncs (payment_id, received_at, invoice_id, entity, first_update_at)
  SELECT p.payment_id, p.received_at, p.invoice_id,
    (SELECT i.entity FROM invoices i WHERE i.invoice_id = p.invoice_id),
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
CREATE OR REPLACE FUNCTION kpi_summaries_invoices_changed() RETURNS trigger
LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan AS $$
DECLARE
  ids text[];
BEGIN
  PERFORM pg_advisory_xact_lock(7340003);
  IF TG_OP = 'INSERT' THEN
    ids := ARRAY(SELECT invoice_id FROM changed_new);
  ELSIF TG_OP = 'DELETE' THEN
    ids := ARRAY(SELECT invoice_id FROM changed_old);
  ELSE
    ids := ARRAY(SELECT invoice_id FROM changed_new UNION SELECT invoice_id FROM changed_old);
  END IF;
  PERFORM erp_postings_refresh(ARRAY(SELECT e.posting_id FROM unnest(ids) k(invoice_id)
    CROSS JOIN LATERAL (
      SELECT posting_id FROM erp_postings x WHERE x.invoice_id = k.invoice_id OFFSET 0) e));
  PERFORM payment_syncs_refresh(ARRAY(SELECT s.payment_id FROM unnest(ids) k(invoice_id)
    CROSS JOIN LATERAL (
      SELECT payment_id FROM payment_syncs x WHERE x.invoice_id = k.invoice_id OFFSET 0) s));
  RETURN NULL;
END;
$$;
--> statement-breakpoint
ALTER FUNCTION erp_postings_attempts_changed() SET plan_cache_mode = force_custom_plan;
--> statement-breakpoint
ALTER FUNCTION payment_syncs_payments_changed() SET plan_cache_mode = force_custom_plan;
--> statement-breakpoint
ALTER FUNCTION payment_syncs_entitlements_changed() SET plan_cache_mode = force_custom_plan;
