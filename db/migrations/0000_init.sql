CREATE TYPE "public"."role" AS ENUM('executive', 'finance', 'operations', 'admin');--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"key_hash" text NOT NULL,
	"scopes" text[] NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_keys_key_hash_unique" UNIQUE("key_hash")
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" text,
	"actor_label" text,
	"action" text NOT NULL,
	"target_type" text,
	"target_id" text,
	"before" jsonb,
	"after" jsonb,
	"ip" "inet",
	"user_agent" text
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text,
	"role" "role" NOT NULL,
	"password_hash" text,
	"active" boolean DEFAULT true NOT NULL,
	"session_version" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE "events" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"event_id" text NOT NULL,
	"type" text NOT NULL,
	"time" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"subject" text,
	"data" jsonb NOT NULL,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"api_key_id" uuid
);
--> statement-breakpoint
CREATE TABLE "rejected_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"api_key_id" uuid,
	"channel" text NOT NULL,
	"batch_index" integer,
	"source" text,
	"event_id" text,
	"type" text,
	"payload" jsonb NOT NULL,
	"errors" text[] NOT NULL,
	"resolved_at" timestamp with time zone,
	"resolution" text
);
--> statement-breakpoint
CREATE TABLE "contract_amendments" (
	"event_seq" bigint PRIMARY KEY NOT NULL,
	"contract_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"entity" text NOT NULL,
	"effective_from" timestamp with time zone NOT NULL,
	"amended_at" timestamp with time zone NOT NULL,
	"currency" text NOT NULL,
	"amount_impact_minor" bigint NOT NULL,
	"event_time" timestamp with time zone NOT NULL,
	"event_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "entitlement_updates" (
	"event_seq" bigint PRIMARY KEY NOT NULL,
	"customer_id" text NOT NULL,
	"status" text NOT NULL,
	"payment_id" text,
	"updated_at" timestamp with time zone NOT NULL,
	"event_time" timestamp with time zone NOT NULL,
	"event_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "erp_posting_attempts" (
	"posting_id" text NOT NULL,
	"attempt" bigint NOT NULL,
	"invoice_id" text NOT NULL,
	"entity" text NOT NULL,
	"status" text NOT NULL,
	"attempted_at" timestamp with time zone NOT NULL,
	"error_code" text,
	"error_message" text,
	"event_seq" bigint NOT NULL,
	"event_time" timestamp with time zone NOT NULL,
	"event_id" text NOT NULL,
	CONSTRAINT "erp_posting_attempts_posting_id_attempt_pk" PRIMARY KEY("posting_id","attempt")
);
--> statement-breakpoint
CREATE TABLE "invoice_disputes" (
	"event_seq" bigint PRIMARY KEY NOT NULL,
	"invoice_id" text NOT NULL,
	"reason" text NOT NULL,
	"amount_minor" bigint,
	"event_time" timestamp with time zone NOT NULL,
	"event_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "invoices" (
	"invoice_id" text PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"customer_id" text NOT NULL,
	"entity" text NOT NULL,
	"currency" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"period_end" timestamp with time zone NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"event_seq" bigint NOT NULL,
	"event_time" timestamp with time zone NOT NULL,
	"event_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"payment_id" text PRIMARY KEY NOT NULL,
	"customer_id" text NOT NULL,
	"invoice_id" text,
	"currency" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"event_seq" bigint NOT NULL,
	"event_time" timestamp with time zone NOT NULL,
	"event_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reconciliation_results" (
	"run_id" text NOT NULL,
	"key" text NOT NULL,
	"kind" text NOT NULL,
	"entity" text NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"period_end" timestamp with time zone NOT NULL,
	"currency" text NOT NULL,
	"expected_minor" bigint NOT NULL,
	"actual_minor" bigint NOT NULL,
	"tolerance_minor" bigint DEFAULT 0 NOT NULL,
	"event_seq" bigint NOT NULL,
	"event_time" timestamp with time zone NOT NULL,
	"event_id" text NOT NULL,
	CONSTRAINT "reconciliation_results_run_id_key_pk" PRIMARY KEY("run_id","key")
);
--> statement-breakpoint
CREATE TABLE "usage_checkpoints" (
	"source" text NOT NULL,
	"entity" text NOT NULL,
	"meter" text NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"window_end" timestamp with time zone NOT NULL,
	"expected_count" bigint NOT NULL,
	"received_count" bigint NOT NULL,
	"rejected_count" bigint,
	"event_seq" bigint NOT NULL,
	"event_time" timestamp with time zone NOT NULL,
	"event_id" text NOT NULL,
	CONSTRAINT "usage_checkpoints_source_entity_meter_window_start_window_end_pk" PRIMARY KEY("source","entity","meter","window_start","window_end")
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_api_key_id_api_keys_id_fk" FOREIGN KEY ("api_key_id") REFERENCES "public"."api_keys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rejected_events" ADD CONSTRAINT "rejected_events_api_key_id_api_keys_id_fk" FOREIGN KEY ("api_key_id") REFERENCES "public"."api_keys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contract_amendments" ADD CONSTRAINT "contract_amendments_event_seq_events_seq_fk" FOREIGN KEY ("event_seq") REFERENCES "public"."events"("seq") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entitlement_updates" ADD CONSTRAINT "entitlement_updates_event_seq_events_seq_fk" FOREIGN KEY ("event_seq") REFERENCES "public"."events"("seq") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "erp_posting_attempts" ADD CONSTRAINT "erp_posting_attempts_event_seq_events_seq_fk" FOREIGN KEY ("event_seq") REFERENCES "public"."events"("seq") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoice_disputes" ADD CONSTRAINT "invoice_disputes_event_seq_events_seq_fk" FOREIGN KEY ("event_seq") REFERENCES "public"."events"("seq") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_event_seq_events_seq_fk" FOREIGN KEY ("event_seq") REFERENCES "public"."events"("seq") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_event_seq_events_seq_fk" FOREIGN KEY ("event_seq") REFERENCES "public"."events"("seq") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reconciliation_results" ADD CONSTRAINT "reconciliation_results_event_seq_events_seq_fk" FOREIGN KEY ("event_seq") REFERENCES "public"."events"("seq") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_checkpoints" ADD CONSTRAINT "usage_checkpoints_event_seq_events_seq_fk" FOREIGN KEY ("event_seq") REFERENCES "public"."events"("seq") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_keys_active_idx" ON "api_keys" USING btree ("created_at") WHERE "api_keys"."revoked_at" is null;--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at","id");--> statement-breakpoint
CREATE INDEX "audit_log_action_idx" ON "audit_log" USING btree ("action","at");--> statement-breakpoint
CREATE UNIQUE INDEX "events_source_event_id_key" ON "events" USING btree ("source","event_id");--> statement-breakpoint
CREATE INDEX "events_time_idx" ON "events" USING btree ("time","seq");--> statement-breakpoint
CREATE INDEX "events_type_time_idx" ON "events" USING btree ("type","time","seq");--> statement-breakpoint
CREATE INDEX "events_received_at_idx" ON "events" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "rejected_events_received_idx" ON "rejected_events" USING btree ("received_at","id");--> statement-breakpoint
CREATE INDEX "rejected_events_open_idx" ON "rejected_events" USING btree ("source","received_at") WHERE "rejected_events"."resolved_at" is null;--> statement-breakpoint
CREATE INDEX "contract_amendments_contract_idx" ON "contract_amendments" USING btree ("contract_id");--> statement-breakpoint
CREATE INDEX "entitlement_updates_payment_idx" ON "entitlement_updates" USING btree ("payment_id","updated_at");--> statement-breakpoint
CREATE INDEX "entitlement_updates_customer_idx" ON "entitlement_updates" USING btree ("customer_id","updated_at");--> statement-breakpoint
CREATE INDEX "erp_posting_attempts_attempted_idx" ON "erp_posting_attempts" USING btree ("attempted_at");--> statement-breakpoint
CREATE INDEX "erp_posting_attempts_invoice_idx" ON "erp_posting_attempts" USING btree ("invoice_id");--> statement-breakpoint
CREATE INDEX "invoice_disputes_invoice_idx" ON "invoice_disputes" USING btree ("invoice_id");--> statement-breakpoint
CREATE INDEX "invoices_issued_at_idx" ON "invoices" USING btree ("issued_at");--> statement-breakpoint
CREATE INDEX "invoices_customer_idx" ON "invoices" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "payments_received_at_idx" ON "payments" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "reconciliation_results_period_end_idx" ON "reconciliation_results" USING btree ("period_end");--> statement-breakpoint
CREATE INDEX "usage_checkpoints_window_end_idx" ON "usage_checkpoints" USING btree ("window_end");