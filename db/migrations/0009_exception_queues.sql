-- The queue's sort keys (db/queries/exceptions.ts), in SQL so that the indexes below and the
-- queries share one definition. Severity sorts most severe first as 0; an amount sorts by its
-- size in major units of its currency (no FX: as closeline_severity compares), an exception
-- without an amount as -1, below every real one. Calls inside are schema-qualified: PostgreSQL 17
-- (PGlite) builds an expression index with search_path limited to pg_catalog.
CREATE OR REPLACE FUNCTION closeline_severity_order(severity text) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION closeline_amount_size(amount_minor bigint, currency text) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN amount_minor IS NULL THEN -1::numeric
    ELSE abs(amount_minor)::numeric / (10::numeric ^ public.closeline_currency_digits(currency)) END
$$;
--> statement-breakpoint
CREATE TABLE "exception_comments" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"exception_id" uuid NOT NULL,
	"author_id" uuid NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "exception_comments_body_length" CHECK (char_length("exception_comments"."body") between 1 and 4000)
);
--> statement-breakpoint
ALTER TABLE "exception_comments" ADD CONSTRAINT "exception_comments_exception_id_exceptions_id_fk" FOREIGN KEY ("exception_id") REFERENCES "public"."exceptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exception_comments" ADD CONSTRAINT "exception_comments_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "exception_comments_exception_idx" ON "exception_comments" USING btree ("exception_id","created_at","id");--> statement-breakpoint
CREATE INDEX "exceptions_open_type_idx" ON "exceptions" USING btree ("type","opened_at","id") WHERE "exceptions"."status" in ('open', 'in_progress', 'awaiting_approval');--> statement-breakpoint
CREATE INDEX "exceptions_open_entity_idx" ON "exceptions" USING btree ("entity","opened_at","id") WHERE "exceptions"."status" in ('open', 'in_progress', 'awaiting_approval');--> statement-breakpoint
CREATE INDEX "exceptions_open_owner_idx" ON "exceptions" USING btree ("owner_id","opened_at","id") WHERE "exceptions"."status" in ('open', 'in_progress', 'awaiting_approval');--> statement-breakpoint
CREATE INDEX "exceptions_open_severity_idx" ON "exceptions" USING btree (closeline_severity_order("severity"),"opened_at","id") WHERE "exceptions"."status" in ('open', 'in_progress', 'awaiting_approval');--> statement-breakpoint
CREATE INDEX "exceptions_open_amount_idx" ON "exceptions" USING btree (closeline_amount_size("amount_minor", "currency"),"opened_at","id") WHERE "exceptions"."status" in ('open', 'in_progress', 'awaiting_approval');
--> statement-breakpoint
-- Comments are part of the record, like the audit log: the database refuses to rewrite them.
CREATE OR REPLACE FUNCTION exception_comments_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'exception_comments is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER exception_comments_no_update_delete
  BEFORE UPDATE OR DELETE ON exception_comments
  FOR EACH ROW EXECUTE FUNCTION exception_comments_refuse_change();
--> statement-breakpoint
CREATE TRIGGER exception_comments_no_truncate
  BEFORE TRUNCATE ON exception_comments
  FOR EACH STATEMENT EXECUTE FUNCTION exception_comments_refuse_change();
--> statement-breakpoint
-- An exception's timeline (db/queries/exception-timeline.ts) finds the events that name its
-- ids. Partial indexes over the event types that carry each id, so usage checkpoints (most
-- of the stream) pay for none of them and the rest for at most one.
CREATE INDEX "events_invoice_ref_idx" ON "events" USING btree (("data"->>'invoiceId'))
  WHERE "type" IN ('invoice.issued', 'invoice.disputed', 'erp.posting.attempted', 'payment.received');
--> statement-breakpoint
CREATE INDEX "events_payment_ref_idx" ON "events" USING btree (("data"->>'paymentId'))
  WHERE "type" IN ('payment.received', 'entitlement.updated');
--> statement-breakpoint
CREATE INDEX "events_run_ref_idx" ON "events" USING btree (("data"->>'runId'), ("data"->>'key'))
  WHERE "type" = 'reconciliation.result';
--> statement-breakpoint
CREATE INDEX "events_contract_ref_idx" ON "events" USING btree (("data"->>'contractId'))
  WHERE "type" = 'contract.amended';
--> statement-breakpoint
CREATE INDEX "events_customer_entitlement_idx" ON "events" USING btree (("data"->>'customerId'), "time")
  WHERE "type" = 'entitlement.updated';
--> statement-breakpoint
-- Everything the audit log says about one target (an exception's history), oldest first.
CREATE INDEX "audit_log_target_idx" ON "audit_log" USING btree ("target_type", "target_id", "at", "id");
