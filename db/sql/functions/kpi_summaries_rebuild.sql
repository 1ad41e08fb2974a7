-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.kpi_summaries_rebuild()
 RETURNS void
 LANGUAGE plpgsql
AS $function$
BEGIN
  PERFORM pg_advisory_xact_lock(7340003);
  DELETE FROM erp_postings;
  PERFORM erp_postings_refresh(ARRAY(SELECT DISTINCT posting_id FROM erp_posting_attempts));
  DELETE FROM payment_syncs;
  PERFORM payment_syncs_refresh(ARRAY(SELECT payment_id FROM payments));
END;
$function$;
