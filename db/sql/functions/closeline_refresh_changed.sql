-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.closeline_refresh_changed()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  -- The ingestion lock first, as every trigger that keeps a KPI table takes it.
  PERFORM pg_advisory_xact_lock(7340003);
  -- The trigger's arguments: the function that rebuilds the summary rows of some keys
  -- (erp_postings_refresh, payment_syncs_refresh), then the changed rows' column holding the
  -- key. A row naming no key (an entitlement update without a payment) has no summary to refresh.
  EXECUTE format('SELECT %I(ARRAY(SELECT DISTINCT k FROM (SELECT %I FROM (%s) c) c(k) WHERE k IS NOT NULL))',
    TG_ARGV[0], TG_ARGV[1], closeline_signed_changes(TG_OP, 'changed_new', 'changed_old'));
  RETURN NULL;
END;
$function$;
