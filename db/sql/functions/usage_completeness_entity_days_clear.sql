-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.usage_completeness_entity_days_clear()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  -- A wholesale rewrite of the rollups: the rollup lock exclusive, after every transaction that
  -- holds a shard (closeline_rollup_shard) has ended.
  PERFORM pg_advisory_xact_lock(7340003);
  DELETE FROM usage_completeness_entity_days;
  RETURN NULL;
END;
$function$;
