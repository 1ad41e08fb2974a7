-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.payment_syncs_payments_changed()
 RETURNS trigger
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_custom_plan'
AS $function$
BEGIN
  PERFORM pg_advisory_xact_lock(7340003);
  IF TG_OP = 'INSERT' THEN
    PERFORM payment_syncs_refresh(ARRAY(SELECT payment_id FROM changed_new));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM payment_syncs_refresh(ARRAY(SELECT payment_id FROM changed_old));
  ELSE
    PERFORM payment_syncs_refresh(ARRAY(
      SELECT payment_id FROM changed_new UNION SELECT payment_id FROM changed_old));
  END IF;
  RETURN NULL;
END;
$function$;
