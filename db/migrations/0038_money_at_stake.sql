-- Money at stake: exchange rates into the reporting currency (from fx.rate events or typed in by
-- an admin), and each exception's amount at risk converted at the rate in effect on the day it
-- opened, kept on the row so the queue can sort and filter by it through an index.
CREATE TABLE IF NOT EXISTS "fx_rates" (
	"currency" text NOT NULL,
	"reporting_currency" text NOT NULL,
	"effective_date" date NOT NULL,
	"rate" numeric NOT NULL,
	"source" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"event_id" text,
	"event_seq" bigint,
	"entered_by" uuid REFERENCES "users"("id"),
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "fx_rates_pk" PRIMARY KEY("currency","reporting_currency","effective_date"),
	CONSTRAINT "fx_rates_positive" CHECK ("rate" > 0),
	CONSTRAINT "fx_rates_pair" CHECK ("currency" <> "reporting_currency"),
	CONSTRAINT "fx_rates_source" CHECK ("source" in ('event', 'admin'))
);--> statement-breakpoint
ALTER TABLE "usage_checkpoints" ADD COLUMN IF NOT EXISTS "unit_price" numeric;--> statement-breakpoint
ALTER TABLE "usage_checkpoints" ADD COLUMN IF NOT EXISTS "price_currency" text;--> statement-breakpoint
ALTER TABLE "exceptions" ADD COLUMN IF NOT EXISTS "reporting_currency" text;--> statement-breakpoint
ALTER TABLE "exceptions" ADD COLUMN IF NOT EXISTS "reporting_rate" numeric;--> statement-breakpoint
ALTER TABLE "exceptions" ADD COLUMN IF NOT EXISTS "reporting_rate_date" date;--> statement-breakpoint
ALTER TABLE "exceptions" ADD COLUMN IF NOT EXISTS "reporting_amount_minor" bigint;--> statement-breakpoint
CREATE OR REPLACE FUNCTION closeline_fx_apply(amount_minor bigint, from_currency text, to_currency text, rate numeric)
 RETURNS bigint
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  -- amount × rate, shifted between the two currencies' minor units, rounded half away from
  -- zero to a whole minor unit of the target (lib/money/fx.ts does the same with BigInt).
  -- Null when the result does not fit a bigint (or is -2^63, whose abs would not).
  SELECT CASE WHEN abs(v) <= 9223372036854775807 THEN v::bigint END
  FROM (SELECT round($1::numeric * $4
    * power(10::numeric, public.closeline_currency_digits($3) - public.closeline_currency_digits($2))) AS v) converted
$function$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION closeline_reporting_currency()
 RETURNS text
 LANGUAGE sql
 STABLE
AS $function$
  -- The admin setting (lib/money/reporting-currency.ts), USD until one is saved.
  SELECT coalesce((SELECT s.value->>'currency' FROM public.settings s WHERE s.key = 'reporting-currency'), 'USD')
$function$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION closeline_reporting_amount(amount_minor bigint, currency text, at timestamp with time zone,
  OUT reporting_currency text, OUT rate numeric, OUT rate_date date, OUT reporting_minor bigint)
 RETURNS record
 LANGUAGE plpgsql
 STABLE
AS $function$
DECLARE
  rep text := public.closeline_reporting_currency();
  found_rate numeric;
  found_day date;
BEGIN
  -- An amount in the reporting currency at the rate in effect on the UTC day of `at`: the
  -- latest rate effective on or before it. The same currency is itself at rate 1; no amount,
  -- or no rate in effect, leaves the converted amount null (unknown, never guessed).
  -- PL/pgSQL, not SQL: its statements' plans are kept across calls, and the trigger below
  -- calls it once per row written.
  reporting_currency := rep;
  IF $1 IS NULL OR $2 IS NULL THEN
    RETURN;
  END IF;
  IF $2 = rep THEN
    rate := 1;
    reporting_minor := $1;
    RETURN;
  END IF;
  SELECT f.rate, f.effective_date INTO found_rate, found_day
    FROM public.fx_rates f
    WHERE f.currency = $2 AND f.reporting_currency = rep AND f.effective_date <= ($3 AT TIME ZONE 'UTC')::date
    ORDER BY f.effective_date DESC
    LIMIT 1;
  IF found_rate IS NOT NULL THEN
    rate := found_rate;
    rate_date := found_day;
    reporting_minor := public.closeline_fx_apply($1, $2, rep, found_rate);
  END IF;
END
$function$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION closeline_exceptions_reporting_amount()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  -- Every write of an exception's amount, currency or opening converts it again; a new rate
  -- or reporting currency converts the rows it bears on (db/queries/fx.ts).
  SELECT r.reporting_currency, r.rate, r.rate_date, r.reporting_minor
    INTO NEW.reporting_currency, NEW.reporting_rate, NEW.reporting_rate_date, NEW.reporting_amount_minor
    FROM public.closeline_reporting_amount(NEW.amount_minor, NEW.currency, NEW.opened_at) r;
  RETURN NEW;
END
$function$;--> statement-breakpoint
DROP TRIGGER IF EXISTS exceptions_reporting_amount ON exceptions;--> statement-breakpoint
CREATE TRIGGER exceptions_reporting_amount BEFORE INSERT OR UPDATE OF amount_minor, currency, opened_at ON exceptions
  FOR EACH ROW EXECUTE FUNCTION closeline_exceptions_reporting_amount();--> statement-breakpoint
UPDATE exceptions x SET (reporting_currency, reporting_rate, reporting_rate_date, reporting_amount_minor) =
  (SELECT r.reporting_currency, r.rate, r.rate_date, r.reporting_minor
   FROM closeline_reporting_amount(x.amount_minor, x.currency, x.opened_at) r);--> statement-breakpoint
-- The queue's sort and filter by amount at risk in the reporting currency: largest first,
-- unknown (-1) last, over open items only like the other queue orders.
CREATE INDEX IF NOT EXISTS "exceptions_open_reporting_amount_idx" ON "exceptions" USING btree (coalesce(abs("reporting_amount_minor"), -1),"opened_at","id") WHERE "exceptions"."status" in ('open', 'in_progress', 'awaiting_approval', 'awaiting_confirmation');--> statement-breakpoint
-- A new rate converts again the exceptions of its currency opened on or after its day.
CREATE INDEX IF NOT EXISTS "exceptions_currency_opened_idx" ON "exceptions" USING btree ("currency","opened_at");
