-- Applied at start whenever the database's definition differs (db/sql/README.md). Keep it
-- as PostgreSQL renders it: `npm run db:functions` rewrites it so.

CREATE OR REPLACE FUNCTION public.closeline_lag_bucket(ms double precision)
 RETURNS integer
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN (ms < (0)::double precision) THEN '-1'::integer WHEN (ms < (64)::double precision) THEN (floor(ms))::integer ELSE (((((32)::double precision * floor((ln(ms) / ln((2)::double precision)))) - (160)::double precision) + floor((ms / power((2)::double precision, (floor((ln(ms) / ln((2)::double precision))) - (5)::double precision))))))::integer END;
