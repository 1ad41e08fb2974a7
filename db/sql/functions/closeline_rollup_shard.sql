-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.closeline_rollup_shard()
 RETURNS smallint
 LANGUAGE plpgsql
AS $function$
DECLARE
  held text := current_setting('closeline.rollup_shard', true);
BEGIN
  -- The shard of the additive KPI rollup rows this transaction adds its counts to: every
  -- trigger that keeps one asks here, and the transaction keeps its shard to the end. Null
  -- before the setting was ever made in the session, '' after a transaction that made it.
  IF held <> '' THEN
    RETURN held::smallint;
  END IF;
  -- The rollup lock, shared: batches do not exclude one another, and whatever rewrites the
  -- rollups wholesale takes it exclusive and waits for them all.
  PERFORM pg_advisory_xact_lock_shared(7340003);
  -- Then the first shard no open transaction holds, to the commit: so no two transactions
  -- ever add to one rollup row at once, one writer alone always uses shard 0, and readers
  -- sum over a few shards at most. Only with all 16 held does one wait, for the shard its
  -- backend's number picks. Holders never wait for one another's rows (each writes its own
  -- shard's), so the lock, then the rows, in that order, cannot deadlock.
  FOR i IN 0..15 LOOP
    IF pg_try_advisory_xact_lock(7340006, i) THEN
      PERFORM set_config('closeline.rollup_shard', i::text, true);
      RETURN i;
    END IF;
  END LOOP;
  PERFORM pg_advisory_xact_lock(7340006, pg_backend_pid() % 16);
  -- Set in the (sub)transaction that took the lock: rolled back to a savepoint before it, the
  -- setting and the lock go together, and the next call takes a shard again.
  PERFORM set_config('closeline.rollup_shard', (pg_backend_pid() % 16)::text, true);
  RETURN pg_backend_pid() % 16;
END;
$function$;
