-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.payment_syncs_entitlements_changed()
 RETURNS trigger
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_custom_plan'
AS $function$
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
$function$;
