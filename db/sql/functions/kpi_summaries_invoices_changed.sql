-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.kpi_summaries_invoices_changed()
 RETURNS trigger
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_custom_plan'
AS $function$
DECLARE
  ids text[];
  postings text[];
  payments text[];
  keys text[];
  locked text[] := '{}';
BEGIN
  -- The invoices' changes refresh the summaries that read them: the postings and payments
  -- whose summary rows name the invoice (the first attempt's invoice, the payment's). Locks
  -- as in closeline_refresh_changed (its comment is the argument): the rollup lock shared,
  -- then the keys of the invoices and of the summaries to refresh. Which summaries name an
  -- invoice is known only by reading them, so they are looked up, locked together with the
  -- invoices in one sorted sweep, and looked up again once the locks are granted: a summary
  -- that came to name one of the invoices meanwhile was committed by a writer holding that
  -- invoice's key before this did, and is found now; its key is locked in one more sweep,
  -- and so on until a look-up finds nothing unlocked. The refresh reads only what the last
  -- look-up found, every key of it held.
  PERFORM pg_advisory_xact_lock_shared(7340003);
  EXECUTE format('SELECT ARRAY(SELECT DISTINCT invoice_id FROM (%s) c WHERE invoice_id IS NOT NULL)',
    closeline_signed_changes(TG_OP, 'changed_new', 'changed_old')) INTO ids;
  LOOP
    postings := ARRAY(SELECT e.posting_id FROM unnest(ids) k(invoice_id)
      CROSS JOIN LATERAL (
        SELECT posting_id FROM erp_postings x WHERE x.invoice_id = k.invoice_id OFFSET 0) e);
    payments := ARRAY(SELECT s.payment_id FROM unnest(ids) k(invoice_id)
      CROSS JOIN LATERAL (
        SELECT payment_id FROM payment_syncs x WHERE x.invoice_id = k.invoice_id OFFSET 0) s);
    keys := ARRAY(SELECT 'invoice_id ' || k FROM unnest(ids) k)
      || ARRAY(SELECT 'posting_id ' || k FROM unnest(postings) k)
      || ARRAY(SELECT 'payment_id ' || k FROM unnest(payments) k);
    EXIT WHEN keys <@ locked;
    PERFORM closeline_summary_keys_lock(ARRAY(SELECT unnest(keys) EXCEPT SELECT unnest(locked)));
    locked := locked || keys;
  END LOOP;
  PERFORM erp_postings_refresh(postings);
  PERFORM payment_syncs_refresh(payments);
  RETURN NULL;
END;
$function$;
