-- Severity of an exception from its amount and its age. In SQL so the raise, the periodic
-- refresh and any ad-hoc query agree. Amounts compare in major units of the currency
-- (zero-decimal currencies such as JPY have no minor unit; BHD-like ones have three).
CREATE OR REPLACE FUNCTION closeline_currency_digits(currency text) RETURNS int
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN currency IN ('BIF','CLP','DJF','GNF','ISK','JPY','KMF','KRW','PYG','RWF','UGX','UYI','VND','VUV','XAF','XOF','XPF') THEN 0
    WHEN currency IN ('BHD','IQD','JOD','KWD','LYD','OMR','TND') THEN 3
    ELSE 2
  END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION closeline_severity(amount_minor bigint, currency text, opened_at timestamptz, at_time timestamptz)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT (ARRAY['low', 'medium', 'high', 'critical'])[1 + least(3,
    CASE
      WHEN amount_minor IS NULL THEN 1
      WHEN abs(amount_minor) >= 100000 * power(10, closeline_currency_digits(currency)) THEN 3
      WHEN abs(amount_minor) >= 10000 * power(10, closeline_currency_digits(currency)) THEN 2
      WHEN abs(amount_minor) >= 1000 * power(10, closeline_currency_digits(currency)) THEN 1
      ELSE 0
    END
    + CASE
      WHEN at_time - opened_at > interval '7 days' THEN 2
      WHEN at_time - opened_at > interval '3 days' THEN 1
      ELSE 0
    END)]
$$;
