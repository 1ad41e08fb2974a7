-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.closeline_refresh_changed()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE
  ids text[];
  invoice_ids text[];
  remaining text[];
BEGIN
  -- The trigger's arguments: the function that rebuilds the summary rows of some keys
  -- (erp_postings_refresh, payment_syncs_refresh); the changed rows' column holding the key
  -- (a row naming no key, an entitlement update without a payment, has no summary to
  -- refresh); and, where the summary also reads an invoice, the column naming it.
  --
  -- Why the summaries stay exact with batches committing side by side. The rollup lock is
  -- shared: batches do not exclude one another, only a wholesale rewrite
  -- (kpi_summaries_rebuild) excludes them all (and a transaction with too many keys to lock
  -- one by one excludes every other refresh: closeline_summary_keys_begin). Instead each
  -- holds, to its commit, a lock per key (closeline_summary_keys_lock): exclusive on every posting and payment
  -- whose summary it rewrites, shared on every invoice those summaries read, exclusive on
  -- every invoice it writes. A refresh recomputes a row from the source tables by statements run after its
  -- locks were granted, so in READ COMMITTED it sees all that was committed by whoever held
  -- a conflicting lock before. A summary row reads:
  -- * its key's own rows (a posting's attempts; a payment and its entitlement updates).
  --   Whoever changes one rewrites the summary under the key, here; whoever changes the
  --   invoice it names does too (kpi_summaries_invoices_changed). So its writers take turns,
  --   each after the last one committed, and the last one reads every change.
  -- * the invoice its row names (the posting's first attempt's, the payment's). Whoever
  --   writes that row locks the invoice shared (the changed rows' new versions; an old
  --   version's invoice is no longer read). Say batch A writes the invoice, B a posting
  --   attempt naming it; their invoice locks conflict, so one waits for the other's commit.
  --   If A held it first, A had committed when B's refresh read the invoice. If B did, B's
  --   summary, naming the invoice, had committed when A, holding the invoice, looked up the
  --   summaries naming it: A finds the posting and refreshes it in turn, after B, under its
  --   key. The same for a payment and its invoice, whichever batch's triggers run first and
  --   whichever commits first: neither misses the other.
  -- * a delete can make an unchanged row the one whose invoice is read (the first attempt
  --   deleted, the second remains). Once the posting's key is held nobody else changes its
  --   rows, so the invoices of the rows left are read again then, and locked shared.
  -- Deadlocks: locks are taken invoices first, then postings and payments, each sorted; a
  -- transaction that takes them in one go cannot deadlock with another that does. An
  -- ingestion statement fires a trigger per table and operation, so its first trigger
  -- (kpi_summaries_events_lock, on the events) takes every key its events name up front and
  -- these find them held. What remains (a delete's second read, a key no event names) can
  -- still take keys out of order: PostgreSQL aborts one of two such transactions (40P01)
  -- with nothing of it kept, and ingestion stores the batch again (lib/ingest/ingest.ts).
  -- Nothing to do for a statement that changed no row (event_lag_days_apply).
  IF TG_OP = 'DELETE' THEN
    IF NOT EXISTS (SELECT FROM changed_old) THEN RETURN NULL; END IF;
  ELSIF NOT EXISTS (SELECT FROM changed_new) THEN
    RETURN NULL;
  END IF;
  EXECUTE format('WITH c AS (%s) SELECT ARRAY(SELECT DISTINCT %I FROM c WHERE %I IS NOT NULL),
      ARRAY(SELECT DISTINCT %s FROM c WHERE sign = 1 AND %s IS NOT NULL)',
    closeline_signed_changes(TG_OP, 'changed_new', 'changed_old'), TG_ARGV[1], TG_ARGV[1],
    coalesce(quote_ident(TG_ARGV[2]), 'NULL::text'), coalesce(quote_ident(TG_ARGV[2]), 'NULL::text'))
    INTO ids, invoice_ids;
  IF TG_OP = 'DELETE' AND TG_NARGS > 2 THEN
    -- The rows left, read ahead so their invoices are locked in order; read again below.
    EXECUTE format('SELECT ARRAY(SELECT DISTINCT %I FROM %I.%I WHERE %I = ANY($1) AND %I IS NOT NULL)',
      TG_ARGV[2], TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[1], TG_ARGV[2])
      INTO invoice_ids USING ids;
  END IF;
  -- Whole or by key, decided once for all this call locks (closeline_summary_keys_begin).
  PERFORM closeline_summary_keys_begin(cardinality(ids) + cardinality(invoice_ids));
  PERFORM closeline_summary_keys_lock('{}', ARRAY(SELECT 'invoice_id ' || k FROM unnest(invoice_ids) k));
  PERFORM closeline_summary_keys_lock(ARRAY(SELECT TG_ARGV[1] || ' ' || k FROM unnest(ids) k));
  IF TG_OP = 'DELETE' AND TG_NARGS > 2 THEN
    EXECUTE format('SELECT ARRAY(SELECT DISTINCT %I FROM %I.%I WHERE %I = ANY($1) AND %I IS NOT NULL)',
      TG_ARGV[2], TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[1], TG_ARGV[2])
      INTO remaining USING ids;
    PERFORM closeline_summary_keys_lock('{}',
      ARRAY(SELECT 'invoice_id ' || k FROM unnest(remaining) k EXCEPT SELECT 'invoice_id ' || k FROM unnest(invoice_ids) k));
  END IF;
  EXECUTE format('SELECT %I($1)', TG_ARGV[0]) USING ids;
  RETURN NULL;
END;
$function$;
