-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.closeline_summary_keys_begin(wanted integer)
 RETURNS boolean
 LANGUAGE plpgsql
AS $function$
BEGIN
  -- Before a transaction's summary keys (closeline_summary_keys_lock): the rollup lock
  -- (7340003) shared, which only what rewrites the summaries wholesale takes exclusive
  -- (kpi_summaries_rebuild); then the summaries' own lock, (7340007, 0), no key's (the keys'
  -- hashes skip 0): shared when locking by key, so such batches do not exclude one another.
  -- Answers whether the summaries are locked whole, so that no key need be taken.
  --
  -- Every lock held is an entry in the server's shared lock table, which holds about
  -- max_locks_per_transaction × max_connections of them; past that, any transaction fails
  -- ("out of shared memory"). So a transaction about to lock more than twice
  -- max_locks_per_transaction keys at once (a big batch, a retention sweep) locks the
  -- summaries whole instead: their own lock exclusive, which excludes every other refresh
  -- as the keys would, and it takes no key for the rest of the transaction. Asked first, as
  -- ingestion's first trigger does (kpi_summaries_events_lock), this waits for the batches
  -- holding the lock shared; asked after smaller calls of the same transaction, it must wait
  -- for the others to let go of a lock it holds shared too, and may deadlock, which
  -- ingestion retries.
  IF current_setting('closeline.summaries_locked_whole', true) = 'on' THEN
    RETURN true;
  END IF;
  -- A trigger whose statement changed no row of its table refreshes nothing.
  IF wanted = 0 THEN
    RETURN false;
  END IF;
  PERFORM pg_advisory_xact_lock_shared(7340003);
  IF wanted > 2 * current_setting('max_locks_per_transaction')::integer THEN
    PERFORM pg_advisory_xact_lock(7340007, 0);
    PERFORM set_config('closeline.summaries_locked_whole', 'on', true);
    RETURN true;
  END IF;
  PERFORM pg_advisory_xact_lock_shared(7340007, 0);
  RETURN false;
END;
$function$;
