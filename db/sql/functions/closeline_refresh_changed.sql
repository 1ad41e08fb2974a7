-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.closeline_refresh_changed()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE
  ids text[];
  invoice_ids text[];
BEGIN
  -- The trigger's arguments: the function that rebuilds the summary rows of some keys
  -- (erp_postings_refresh, payment_syncs_refresh); the changed rows' column holding the key
  -- (a row naming no key, an entitlement update without a payment, has no summary to
  -- refresh); and, where the summary also reads an invoice, the column naming it.
  --
  -- Why the refresh is exact with batches running side by side. The rollup lock is taken
  -- shared: batches do not exclude one another, only what rewrites the summaries wholesale
  -- (kpi_summaries_rebuild) excludes them all. Then, in one sorted sweep
  -- (closeline_summary_keys_lock), the key of every summary row this refresh writes, and
  -- every invoice the changed rows name. The refresh's statements run after the locks are
  -- granted, so in READ COMMITTED each sees everything committed by whoever held a key
  -- before. A summary row reads:
  -- * its own rows (a posting's attempts; a payment and its entitlement updates). Whoever
  --   changes one holds the row's key to its commit, through this trigger, and so does
  --   whoever refreshes it from an invoice (kpi_summaries_invoices_changed): the writers of a
  --   summary row take turns, each after the last committed, and the last one sees all.
  -- * the invoice that the posting's first attempt, or the payment, names. The row naming it
  --   was written under that invoice's key (the lock here), and the invoice's writer holds
  --   the key too before it looks for the summaries naming it. If the invoice's writer had
  --   the key first, it committed before this refresh read the invoice. If this trigger had
  --   it first, this summary, naming the invoice, had committed when the invoice's writer
  --   looked, which then refreshes it in turn under the summary's key. Neither misses the
  --   other, in either order of triggers and commits.
  -- * a delete can make another, unchanged row the one whose invoice a summary reads (the
  --   posting's first attempt deleted, the second remains): once the summary keys are held no
  --   one else can change these rows, so the invoices they name are read and locked next.
  -- Keys are sorted within a sweep, but one statement fires a trigger per projection table
  -- (and a delete sweeps twice), so two transactions may still take two keys in opposite
  -- orders: PostgreSQL then aborts one (40P01) with nothing of it kept, and ingestion stores
  -- the batch again (lib/ingest/ingest.ts).
  PERFORM pg_advisory_xact_lock_shared(7340003);
  EXECUTE format('WITH c AS (%s) SELECT ARRAY(SELECT DISTINCT %I FROM c WHERE %I IS NOT NULL),
      ARRAY(SELECT DISTINCT %s FROM c WHERE %s IS NOT NULL)',
    closeline_signed_changes(TG_OP, 'changed_new', 'changed_old'), TG_ARGV[1], TG_ARGV[1],
    coalesce(quote_ident(TG_ARGV[2]), 'NULL::text'), coalesce(quote_ident(TG_ARGV[2]), 'NULL::text'))
    INTO ids, invoice_ids;
  PERFORM closeline_summary_keys_lock(ARRAY(SELECT TG_ARGV[1] || ' ' || k FROM unnest(ids) k)
    || ARRAY(SELECT 'invoice_id ' || k FROM unnest(invoice_ids) k));
  IF TG_OP = 'DELETE' AND TG_NARGS > 2 THEN
    EXECUTE format('SELECT ARRAY(SELECT DISTINCT %I FROM %I.%I WHERE %I = ANY($1) AND %I IS NOT NULL)',
      TG_ARGV[2], TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[1], TG_ARGV[2])
      INTO invoice_ids USING ids;
    PERFORM closeline_summary_keys_lock(ARRAY(SELECT 'invoice_id ' || k FROM unnest(invoice_ids) k));
  END IF;
  EXECUTE format('SELECT %I($1)', TG_ARGV[0]) USING ids;
  RETURN NULL;
END;
$function$;
