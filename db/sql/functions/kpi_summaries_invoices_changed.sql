-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.kpi_summaries_invoices_changed()
 RETURNS trigger
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_custom_plan'
AS $function$
DECLARE
  ids text[];
BEGIN
  PERFORM pg_advisory_xact_lock(7340003);
  EXECUTE format('SELECT ARRAY(SELECT DISTINCT invoice_id FROM (%s) c)',
    closeline_signed_changes(TG_OP, 'changed_new', 'changed_old')) INTO ids;
  PERFORM erp_postings_refresh(ARRAY(SELECT e.posting_id FROM unnest(ids) k(invoice_id)
    CROSS JOIN LATERAL (
      SELECT posting_id FROM erp_postings x WHERE x.invoice_id = k.invoice_id OFFSET 0) e));
  PERFORM payment_syncs_refresh(ARRAY(SELECT s.payment_id FROM unnest(ids) k(invoice_id)
    CROSS JOIN LATERAL (
      SELECT payment_id FROM payment_syncs x WHERE x.invoice_id = k.invoice_id OFFSET 0) s));
  RETURN NULL;
END;
$function$;
