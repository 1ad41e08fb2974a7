-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.closeline_summary_keys_begin(wanted integer)
 RETURNS boolean
 LANGUAGE plpgsql
AS $function$
BEGIN
  -- Before a transaction's summary keys (closeline_summary_keys_lock), the rollup lock
  -- (7340003): shared, so batches locking keys do not exclude one another; exclusive by
  -- whatever rewrites the summaries wholesale (kpi_summaries_rebuild), which then excludes
  -- them all. Answers whether the summaries are locked whole, so no key need be taken.
  --
  -- Every lock held is an entry in the server's shared lock table, which holds about
  -- max_locks_per_transaction × max_connections of them; past that, any transaction fails
  -- ("out of shared memory"). So a transaction about to lock more than twice
  -- max_locks_per_transaction keys at once (a big batch, a retention sweep) locks the
  -- summaries whole instead: the rollup lock exclusive, which excludes every other refresh
  -- as the keys would, and it takes no key for the rest of the transaction. Asked first, with
  -- the rollup lock not yet held, this waits for the batches holding it shared; asked later
  -- (a transaction whose first calls were small) it must wait for the others to let go of
  -- the lock it holds shared too, and may deadlock, which ingestion retries.
  IF current_setting('closeline.summaries_locked_whole', true) = 'on' THEN
    RETURN true;
  END IF;
  -- A trigger whose statement changed no row of its table refreshes nothing.
  IF wanted = 0 THEN
    RETURN false;
  END IF;
  IF wanted > 2 * current_setting('max_locks_per_transaction')::integer THEN
    PERFORM pg_advisory_xact_lock(7340003);
    PERFORM set_config('closeline.summaries_locked_whole', 'on', true);
    RETURN true;
  END IF;
  PERFORM pg_advisory_xact_lock_shared(7340003);
  RETURN false;
END;
$function$;
