-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.kpi_summaries_of_invoices(ids text[], OUT postings text[], OUT payments text[])
 RETURNS record
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_custom_plan'
AS $function$
BEGIN
  -- The summaries that read these invoices: the postings whose first attempt names one
  -- (erp_postings.invoice_id) and the payments that do (payment_syncs.invoice_id). Complete
  -- once the caller holds the invoices' keys (closeline_refresh_changed says why).
  postings := ARRAY(SELECT e.posting_id FROM unnest(ids) k(invoice_id)
    CROSS JOIN LATERAL (
      SELECT posting_id FROM erp_postings x WHERE x.invoice_id = k.invoice_id OFFSET 0) e);
  payments := ARRAY(SELECT s.payment_id FROM unnest(ids) k(invoice_id)
    CROSS JOIN LATERAL (
      SELECT payment_id FROM payment_syncs x WHERE x.invoice_id = k.invoice_id OFFSET 0) s);
END;
$function$;
