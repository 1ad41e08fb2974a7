-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.closeline_summary_keys_lock(keys text[])
 RETURNS void
 LANGUAGE plpgsql
AS $function$
DECLARE
  key_hash integer;
BEGIN
  -- The summary refreshes' per-key locks (ADVISORY_LOCKS.summaryKeys, 7340007, then a hash of
  -- the key: its kind and its id, e.g. 'posting_id POST-1', 'invoice_id INV-1'), held to the
  -- commit. Taken in the order of the hash, which is the lock's identity: two calls that
  -- want some of the same keys take them in the same order, so they cannot deadlock on them
  -- (two keys sharing a hash are one lock: they only ever wait, never race). Keys already held
  -- by the transaction are granted at once.
  FOR key_hash IN SELECT DISTINCT hashtext(k) FROM unnest(keys) k WHERE k IS NOT NULL ORDER BY 1 LOOP
    PERFORM pg_advisory_xact_lock(7340007, key_hash);
  END LOOP;
END;
$function$;
