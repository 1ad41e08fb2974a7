-- The current definition after all migrations, as PostgreSQL renders it. Change it with a
-- migration, then `npm run db:functions` rewrites this file (db/sql/README.md).

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
