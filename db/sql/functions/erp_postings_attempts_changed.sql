-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

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
