-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.erp_postings_refresh(ids text[])
 RETURNS void
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_custom_plan'
AS $function$
BEGIN
  DELETE FROM erp_postings p WHERE p.posting_id = ANY(ids)
    AND NOT EXISTS (SELECT 1 FROM erp_posting_attempts a WHERE a.posting_id = p.posting_id OFFSET 0);
  INSERT INTO erp_postings (posting_id, entity, invoice_id, first_attempted_at, first_pass,
    eventually, open_failure, first_success_at, attempts, failures, invoice_issued_at)
  SELECT k.posting_id, s.entity, s.invoice_id, s.first_attempted_at, s.first_pass, s.eventually,
    s.open_failure, s.first_success_at, s.attempts, s.failures,
    (SELECT i.issued_at FROM invoices i WHERE i.invoice_id = s.invoice_id)
  FROM (SELECT DISTINCT unnest(ids) AS posting_id) k
  CROSS JOIN LATERAL (
    SELECT
      (array_agg(a.entity ORDER BY a.attempt))[1] AS entity,
      (array_agg(a.invoice_id ORDER BY a.attempt))[1] AS invoice_id,
      (array_agg(a.attempted_at ORDER BY a.attempt))[1] AS first_attempted_at,
      -- Attempt 1 itself, not the lowest attempt known: a retry means the first did not succeed.
      bool_or(a.attempt = 1 AND a.status = 'succeeded') AS first_pass,
      bool_or(a.status = 'succeeded') AS eventually,
      (array_agg(a.status ORDER BY a.attempt DESC))[1] = 'failed' AS open_failure,
      min(a.attempted_at) FILTER (WHERE a.status = 'succeeded') AS first_success_at,
      count(*) AS attempts,
      count(*) FILTER (WHERE a.status = 'failed') AS failures
    FROM erp_posting_attempts a WHERE a.posting_id = k.posting_id
  ) s
  WHERE s.attempts > 0
  ORDER BY k.posting_id
  ON CONFLICT (posting_id) DO UPDATE SET entity = excluded.entity, invoice_id = excluded.invoice_id,
    first_attempted_at = excluded.first_attempted_at, first_pass = excluded.first_pass,
    eventually = excluded.eventually, open_failure = excluded.open_failure,
    first_success_at = excluded.first_success_at, attempts = excluded.attempts,
    failures = excluded.failures, invoice_issued_at = excluded.invoice_issued_at
  -- A summary that reads as it did is left as it is: one statement can refresh a posting
  -- twice (its attempt's trigger, then its invoice's), and rewriting the same row would
  -- only add a version of it to every index.
  WHERE (erp_postings.entity, erp_postings.invoice_id, erp_postings.first_attempted_at,
      erp_postings.first_pass, erp_postings.eventually, erp_postings.open_failure,
      erp_postings.first_success_at, erp_postings.attempts, erp_postings.failures,
      erp_postings.invoice_issued_at)
    IS DISTINCT FROM (excluded.entity, excluded.invoice_id, excluded.first_attempted_at,
      excluded.first_pass, excluded.eventually, excluded.open_failure,
      excluded.first_success_at, excluded.attempts, excluded.failures,
      excluded.invoice_issued_at);
END;
$function$;
