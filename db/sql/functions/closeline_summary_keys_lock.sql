-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.closeline_summary_keys_lock(keys text[], shared_keys text[] DEFAULT '{}'::text[])
 RETURNS void
 LANGUAGE plpgsql
AS $function$
DECLARE
  key_hash integer;
  shared boolean;
  wanted integer;
BEGIN
  -- The summary refreshes' locks, held to the commit: first the rollup lock (7340003), then
  -- one lock per key (ADVISORY_LOCKS.summaryKeys, 7340007, then a hash of the key: its kind
  -- and its id, e.g. 'posting_id POST-1', 'invoice_id INV-1'), `keys` exclusive (what the
  -- caller writes), `shared_keys` shared (what it only reads; a key in both is exclusive).
  -- Taken in the order of the hash, which is the lock's identity: two calls that want some
  -- of the same keys take them in the same order, so they cannot deadlock on them (two keys
  -- sharing a hash are one lock: they only ever wait, never race). Callers lock invoices in
  -- one call, then postings and payments in another (closeline_refresh_changed says why).
  -- Keys the transaction holds already are granted at once. Before any key, the rollup lock
  -- and the summaries' own, unless those are locked whole (closeline_summary_keys_begin).
  wanted := (SELECT count(DISTINCT hashtext(k)) FROM (
    SELECT unnest(keys) UNION ALL SELECT unnest(shared_keys)) u(k) WHERE k IS NOT NULL);
  IF closeline_summary_keys_begin(wanted) THEN
    RETURN;
  END IF;
  FOR key_hash, shared IN
    SELECT CASE hashtext(k) WHEN 0 THEN 1 ELSE hashtext(k) END, bool_and(s) FROM (
      SELECT k, false FROM unnest(keys) k UNION ALL SELECT k, true FROM unnest(shared_keys) k
    ) u(k, s) WHERE k IS NOT NULL GROUP BY 1 ORDER BY 1
  LOOP
    IF shared THEN
      PERFORM pg_advisory_xact_lock_shared(7340007, key_hash);
    ELSE
      PERFORM pg_advisory_xact_lock(7340007, key_hash);
    END IF;
  END LOOP;
END;
$function$;
