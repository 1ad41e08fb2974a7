CREATE TABLE "exceptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"type" text NOT NULL,
	"problem_key" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"severity" text DEFAULT 'medium' NOT NULL,
	"title" text NOT NULL,
	"entity" text,
	"amount_minor" bigint,
	"currency" text,
	"owner_id" uuid,
	"invoice_id" text,
	"posting_id" text,
	"payment_id" text,
	"customer_id" text,
	"run_id" text,
	"contract_id" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone,
	"closed_by" text,
	"resolution_code" text,
	"resolution_note" text,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "exceptions" ADD CONSTRAINT "exceptions_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "exceptions_problem_key" ON "exceptions" USING btree ("type","problem_key");--> statement-breakpoint
CREATE INDEX "exceptions_open_idx" ON "exceptions" USING btree ("opened_at","id") WHERE "exceptions"."status" in ('open', 'in_progress', 'awaiting_approval');--> statement-breakpoint
CREATE INDEX "exceptions_type_status_idx" ON "exceptions" USING btree ("type","status","opened_at","id");--> statement-breakpoint
CREATE INDEX "exceptions_entity_idx" ON "exceptions" USING btree ("entity","status");