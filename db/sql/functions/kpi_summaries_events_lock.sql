-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.kpi_summaries_events_lock()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE
  issued text[];
  postings text[];
  payments text[];
BEGIN
  -- Every summary key an ingested batch will lock, taken up front in the order that cannot
  -- deadlock (closeline_refresh_changed says why and which modes). The projection tables'
  -- triggers lock their own keys, but one ingestion statement fires one of them per table
  -- and operation, and in the reverse order of its CTEs (entitlement updates, payments,
  -- postings, invoices): taken there, the keys of two batches bearing on each other (an
  -- invoice in one, a posting naming it and a retry of the other's posting in the next)
  -- would be taken in opposite orders. The events' triggers fire first, the CTE writing them
  -- being complete before the projections' are, so the later triggers find their keys held.
  -- First the invoices: issued exclusive, named shared. Then, once they are held, the
  -- summaries already naming an issued invoice (its writer refreshes them) with the
  -- postings and payments the events name.
  issued := ARRAY(SELECT DISTINCT e.data->>'invoiceId' FROM summary_keys_new e
    WHERE e.type = 'invoice.issued');
  -- Whole or by key, decided once for the batch (closeline_summary_keys_begin), from the
  -- number of keys its events name, before any other trigger of the statement locks one.
  IF closeline_summary_keys_begin((SELECT count(DISTINCT k)::integer FROM (
    SELECT 'invoice_id ' || (e.data->>'invoiceId') FROM summary_keys_new e
      WHERE e.type IN ('invoice.issued', 'erp.posting.attempted', 'payment.received')
    UNION ALL SELECT 'posting_id ' || (e.data->>'postingId') FROM summary_keys_new e
      WHERE e.type = 'erp.posting.attempted'
    UNION ALL SELECT 'payment_id ' || (e.data->>'paymentId') FROM summary_keys_new e
      WHERE e.type IN ('payment.received', 'entitlement.updated')) u(k) WHERE k IS NOT NULL)) THEN
    RETURN NULL;
  END IF;
  PERFORM closeline_summary_keys_lock(ARRAY(SELECT 'invoice_id ' || k FROM unnest(issued) k),
    ARRAY(SELECT 'invoice_id ' || (e.data->>'invoiceId') FROM summary_keys_new e
      WHERE e.type IN ('erp.posting.attempted', 'payment.received')));
  SELECT s.postings, s.payments INTO postings, payments FROM kpi_summaries_of_invoices(issued) s;
  PERFORM closeline_summary_keys_lock(ARRAY(SELECT 'posting_id ' || k FROM unnest(postings) k)
    || ARRAY(SELECT 'payment_id ' || k FROM unnest(payments) k)
    || ARRAY(SELECT CASE e.type
        WHEN 'erp.posting.attempted' THEN 'posting_id ' || (e.data->>'postingId')
        ELSE 'payment_id ' || (e.data->>'paymentId') END
      FROM summary_keys_new e
      WHERE e.type IN ('erp.posting.attempted', 'payment.received', 'entitlement.updated')));
  RETURN NULL;
END;
$function$;
