-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.closeline_signed_changes(op text, new_rows text, old_rows text)
 RETURNS text
 LANGUAGE sql
 STABLE
AS $function$
  -- What a statement trigger keeps its rollups by: the rows its statement changed, as a query
  -- for the trigger to EXECUTE, each row with its sign, 1 for a row added (in the transition
  -- table new_rows), -1 for one removed (old_rows), an update both. A transition table exists
  -- only for the operations its trigger names (op is TG_OP), so the query names only those.
  SELECT CASE op
    WHEN 'INSERT' THEN format('SELECT *, 1 AS sign FROM %I', new_rows)
    WHEN 'DELETE' THEN format('SELECT *, -1 AS sign FROM %I', old_rows)
    ELSE format('SELECT *, 1 AS sign FROM %I UNION ALL SELECT *, -1 FROM %I', new_rows, old_rows)
  END
$function$;
