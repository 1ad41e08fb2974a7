-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.closeline_refresh_changed()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE
  -- The trigger's arguments: the function that rebuilds the summary rows of some keys
  -- (erp_postings_refresh, payment_syncs_refresh), then the changed rows' column holding the
  -- key. A transition table exists only for the operations its trigger names, hence the cases.
  changed text := CASE TG_OP
    WHEN 'INSERT' THEN format('SELECT %I FROM changed_new', TG_ARGV[1])
    WHEN 'DELETE' THEN format('SELECT %I FROM changed_old', TG_ARGV[1])
    ELSE format('SELECT %1$I FROM changed_new UNION SELECT %1$I FROM changed_old', TG_ARGV[1])
  END;
BEGIN
  -- The ingestion lock first, as every trigger that keeps a KPI table takes it.
  PERFORM pg_advisory_xact_lock(7340003);
  -- A row naming no key (an entitlement update without a payment) has no summary to refresh.
  EXECUTE format('SELECT %I(ARRAY(SELECT DISTINCT k FROM (%s) c(k) WHERE k IS NOT NULL))',
    TG_ARGV[0], changed);
  RETURN NULL;
END;
$function$;
