-- The current definition after all migrations, as PostgreSQL renders it. Change it with a
-- migration, then `npm run db:functions` rewrites this file (db/sql/README.md).

CREATE OR REPLACE FUNCTION public.erp_postings_attempts_changed()
 RETURNS trigger
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_custom_plan'
AS $function$
BEGIN
  PERFORM pg_advisory_xact_lock(7340003);
  IF TG_OP = 'INSERT' THEN
    PERFORM erp_postings_refresh(ARRAY(SELECT DISTINCT posting_id FROM changed_new));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM erp_postings_refresh(ARRAY(SELECT DISTINCT posting_id FROM changed_old));
  ELSE
    PERFORM erp_postings_refresh(ARRAY(
      SELECT posting_id FROM changed_new UNION SELECT posting_id FROM changed_old));
  END IF;
  RETURN NULL;
END;
$function$;
