-- The exceptions on an invoice's or a customer's revenue thread, found by the ids they carry.
-- exceptions is a small table (one row per problem), so these are built here, not concurrently.
CREATE INDEX IF NOT EXISTS "exceptions_invoice_idx" ON "exceptions" USING btree ("invoice_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "exceptions_payment_idx" ON "exceptions" USING btree ("payment_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "exceptions_customer_idx" ON "exceptions" USING btree ("customer_id");
