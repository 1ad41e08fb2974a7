CREATE TABLE "erp_postings" (
	"posting_id" text PRIMARY KEY NOT NULL,
	"entity" text NOT NULL,
	"invoice_id" text NOT NULL,
	"first_attempted_at" timestamp with time zone NOT NULL,
	"first_pass" boolean NOT NULL,
	"eventually" boolean NOT NULL,
	"open_failure" boolean NOT NULL,
	"first_success_at" timestamp with time zone,
	"attempts" bigint NOT NULL,
	"failures" bigint NOT NULL,
	"invoice_issued_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "payment_syncs" (
	"payment_id" text PRIMARY KEY NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"invoice_id" text,
	"entity" text,
	"first_update_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "erp_postings_first_attempted_idx" ON "erp_postings" USING btree ("first_attempted_at","entity");--> statement-breakpoint
CREATE INDEX "erp_postings_invoice_idx" ON "erp_postings" USING btree ("invoice_id");--> statement-breakpoint
CREATE INDEX "erp_postings_failed_idx" ON "erp_postings" USING btree ("first_attempted_at") WHERE "erp_postings"."failures" > 0;--> statement-breakpoint
CREATE INDEX "payment_syncs_received_idx" ON "payment_syncs" USING btree ("received_at","entity");--> statement-breakpoint
CREATE INDEX "payment_syncs_invoice_idx" ON "payment_syncs" USING btree ("invoice_id");--> statement-breakpoint
-- The ERP posting and payment KPIs read one summary row per posting and per payment
-- (db/schema/summaries.ts) instead of grouping attempts and probing invoices and
-- entitlement updates for every posting and payment of the range on every request.
--
-- A summary is recomputed from its sources for the keys a statement touched. Every trigger
-- below first takes the ingestion lock (7340003, lib/exceptions/detect.ts) and holds it to
-- commit, and each statement after it reads a fresh snapshot (READ COMMITTED, volatile
-- function): so it sees every committed change to those keys, and a transaction still
-- changing them will recompute them itself after this one commits. No summary is stale
-- once the writers have committed, whatever the order they ran in.
CREATE FUNCTION erp_postings_refresh(ids text[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM erp_postings p WHERE p.posting_id = ANY(ids)
    AND NOT EXISTS (SELECT 1 FROM erp_posting_attempts a WHERE a.posting_id = p.posting_id);
  INSERT INTO erp_postings (posting_id, entity, invoice_id, first_attempted_at, first_pass,
    eventually, open_failure, first_success_at, attempts, failures, invoice_issued_at)
  -- Every lookup is by key, one key at a time (a lateral subquery per id): PL/pgSQL plans
  -- these statements once for any number of ids, and a plan built on a young table's
  -- statistics (a join, `= ANY(ids)`) became a scan of every attempt and every invoice, so a
  -- batch cost more as the tables grew, under the ingestion lock.
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
CREATE FUNCTION payment_syncs_refresh(ids text[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM payment_syncs s WHERE s.payment_id = ANY(ids)
    AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.payment_id = s.payment_id);
  INSERT INTO payment_syncs (payment_id, received_at, invoice_id, entity, first_update_at)
  SELECT p.payment_id, p.received_at, p.invoice_id,
    (SELECT i.entity FROM invoices i WHERE i.invoice_id = p.invoice_id),
    (SELECT min(u.updated_at) FROM entitlement_updates u WHERE u.payment_id = p.payment_id)
  FROM (SELECT DISTINCT unnest(ids) AS payment_id) k
  -- By key, one at a time, as in erp_postings_refresh.
  CROSS JOIN LATERAL (SELECT * FROM payments x WHERE x.payment_id = k.payment_id) p
  ORDER BY p.payment_id
  ON CONFLICT (payment_id) DO UPDATE SET received_at = excluded.received_at,
    invoice_id = excluded.invoice_id, entity = excluded.entity,
    first_update_at = excluded.first_update_at;
END;
$$;
--> statement-breakpoint
-- Everything from scratch: the backfill below, a TRUNCATE of a source, the bench loader.
CREATE FUNCTION kpi_summaries_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(7340003);
  DELETE FROM erp_postings;
  PERFORM erp_postings_refresh(ARRAY(SELECT DISTINCT posting_id FROM erp_posting_attempts));
  DELETE FROM payment_syncs;
  PERFORM payment_syncs_refresh(ARRAY(SELECT payment_id FROM payments));
END;
$$;
--> statement-breakpoint
CREATE FUNCTION kpi_summaries_rebuild_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM kpi_summaries_rebuild();
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- A transition table exists only for the operations its trigger names, hence the branches.
CREATE FUNCTION erp_postings_attempts_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(7340003);
  IF TG_OP = 'INSERT' THEN
    PERFORM erp_postings_refresh(ARRAY(SELECT DISTINCT posting_id FROM changed_new));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM erp_postings_refresh(ARRAY(SELECT DISTINCT posting_id FROM changed_old));
  ELSE
    PERFORM erp_postings_refresh(ARRAY(
      SELECT posting_id FROM changed_new UNION SELECT posting_id FROM changed_old));
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION payment_syncs_payments_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(7340003);
  IF TG_OP = 'INSERT' THEN
    PERFORM payment_syncs_refresh(ARRAY(SELECT payment_id FROM changed_new));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM payment_syncs_refresh(ARRAY(SELECT payment_id FROM changed_old));
  ELSE
    PERFORM payment_syncs_refresh(ARRAY(
      SELECT payment_id FROM changed_new UNION SELECT payment_id FROM changed_old));
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION payment_syncs_entitlements_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(7340003);
  IF TG_OP = 'INSERT' THEN
    PERFORM payment_syncs_refresh(ARRAY(
      SELECT DISTINCT payment_id FROM changed_new WHERE payment_id IS NOT NULL));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM payment_syncs_refresh(ARRAY(
      SELECT DISTINCT payment_id FROM changed_old WHERE payment_id IS NOT NULL));
  ELSE
    PERFORM payment_syncs_refresh(ARRAY(
      SELECT payment_id FROM changed_new WHERE payment_id IS NOT NULL
      UNION SELECT payment_id FROM changed_old WHERE payment_id IS NOT NULL));
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- An invoice gives postings their issuedAt and payments their entity. The summaries that
-- name it are looked up after the lock, so none committed before is missed.
CREATE FUNCTION kpi_summaries_invoices_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
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
    CROSS JOIN LATERAL (SELECT posting_id FROM erp_postings x WHERE x.invoice_id = k.invoice_id) e));
  PERFORM payment_syncs_refresh(ARRAY(SELECT s.payment_id FROM unnest(ids) k(invoice_id)
    CROSS JOIN LATERAL (SELECT payment_id FROM payment_syncs x WHERE x.invoice_id = k.invoice_id) s));
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER erp_postings_on_attempts_insert AFTER INSERT ON erp_posting_attempts
  REFERENCING NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION erp_postings_attempts_changed();
--> statement-breakpoint
CREATE TRIGGER erp_postings_on_attempts_update AFTER UPDATE ON erp_posting_attempts
  REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new
  FOR EACH STATEMENT EXECUTE FUNCTION erp_postings_attempts_changed();
--> statement-breakpoint
CREATE TRIGGER erp_postings_on_attempts_delete AFTER DELETE ON erp_posting_attempts
  REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION erp_postings_attempts_changed();
--> statement-breakpoint
CREATE TRIGGER payment_syncs_on_payments_insert AFTER INSERT ON payments
  REFERENCING NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION payment_syncs_payments_changed();
--> statement-breakpoint
CREATE TRIGGER payment_syncs_on_payments_update AFTER UPDATE ON payments
  REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new
  FOR EACH STATEMENT EXECUTE FUNCTION payment_syncs_payments_changed();
--> statement-breakpoint
CREATE TRIGGER payment_syncs_on_payments_delete AFTER DELETE ON payments
  REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION payment_syncs_payments_changed();
--> statement-breakpoint
CREATE TRIGGER payment_syncs_on_entitlements_insert AFTER INSERT ON entitlement_updates
  REFERENCING NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION payment_syncs_entitlements_changed();
--> statement-breakpoint
CREATE TRIGGER payment_syncs_on_entitlements_update AFTER UPDATE ON entitlement_updates
  REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new
  FOR EACH STATEMENT EXECUTE FUNCTION payment_syncs_entitlements_changed();
--> statement-breakpoint
CREATE TRIGGER payment_syncs_on_entitlements_delete AFTER DELETE ON entitlement_updates
  REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION payment_syncs_entitlements_changed();
--> statement-breakpoint
CREATE TRIGGER kpi_summaries_on_invoices_insert AFTER INSERT ON invoices
  REFERENCING NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION kpi_summaries_invoices_changed();
--> statement-breakpoint
CREATE TRIGGER kpi_summaries_on_invoices_update AFTER UPDATE ON invoices
  REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new
  FOR EACH STATEMENT EXECUTE FUNCTION kpi_summaries_invoices_changed();
--> statement-breakpoint
CREATE TRIGGER kpi_summaries_on_invoices_delete AFTER DELETE ON invoices
  REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION kpi_summaries_invoices_changed();
--> statement-breakpoint
CREATE TRIGGER kpi_summaries_on_attempts_truncate AFTER TRUNCATE ON erp_posting_attempts
  FOR EACH STATEMENT EXECUTE FUNCTION kpi_summaries_rebuild_trigger();
--> statement-breakpoint
CREATE TRIGGER kpi_summaries_on_payments_truncate AFTER TRUNCATE ON payments
  FOR EACH STATEMENT EXECUTE FUNCTION kpi_summaries_rebuild_trigger();
--> statement-breakpoint
CREATE TRIGGER kpi_summaries_on_entitlements_truncate AFTER TRUNCATE ON entitlement_updates
  FOR EACH STATEMENT EXECUTE FUNCTION kpi_summaries_rebuild_trigger();
--> statement-breakpoint
CREATE TRIGGER kpi_summaries_on_invoices_truncate AFTER TRUNCATE ON invoices
  FOR EACH STATEMENT EXECUTE FUNCTION kpi_summaries_rebuild_trigger();
--> statement-breakpoint
SELECT kpi_summaries_rebuild();
