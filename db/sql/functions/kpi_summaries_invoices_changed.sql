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
BEGIN
  -- The invoices' changes refresh the summaries that read them. Locks as in
  -- closeline_refresh_changed (its comment is the argument): the rollup lock shared, the
  -- invoices' keys exclusive, and only then, by a statement that sees every summary that
  -- came to name one of them, the postings and payments to refresh, whose keys are locked
  -- next: invoices before postings and payments, as everywhere.
  -- Nothing to do for a statement that changed no row (event_lag_days_apply).
  IF TG_OP = 'DELETE' THEN
    IF NOT EXISTS (SELECT FROM changed_old) THEN RETURN NULL; END IF;
  ELSIF NOT EXISTS (SELECT FROM changed_new) THEN
    RETURN NULL;
  END IF;
  EXECUTE format('SELECT ARRAY(SELECT DISTINCT invoice_id FROM (%s) c WHERE invoice_id IS NOT NULL)',
    closeline_signed_changes(TG_OP, 'changed_new', 'changed_old')) INTO ids;
  PERFORM closeline_summary_keys_lock(ARRAY(SELECT 'invoice_id ' || k FROM unnest(ids) k));
  SELECT s.postings, s.payments INTO postings, payments FROM kpi_summaries_of_invoices(ids) s;
  PERFORM closeline_summary_keys_lock(ARRAY(SELECT 'posting_id ' || k FROM unnest(postings) k)
    || ARRAY(SELECT 'payment_id ' || k FROM unnest(payments) k));
  PERFORM erp_postings_refresh(postings);
  PERFORM payment_syncs_refresh(payments);
  RETURN NULL;
END;
$function$;
