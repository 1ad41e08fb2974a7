-- An approved correction no longer leaves its exception "awaiting approval": the exception
-- waits for the target system's confirmation (status awaiting_confirmation), and closes when
-- a correction.executed event (projected below) or other telemetry confirms it. The new
-- status is still open, so the partial indexes of open exceptions take it in.
--
-- Ingestion may be running: it locks events, then exceptions. This migration needs both
-- (the foreign key of correction_executions locks events), so it takes them in that order
-- too; exceptions first would deadlock with a batch in flight.
LOCK TABLE "events" IN SHARE ROW EXCLUSIVE MODE;--> statement-breakpoint
DROP INDEX "exceptions_open_idx";--> statement-breakpoint
DROP INDEX "exceptions_open_type_idx";--> statement-breakpoint
DROP INDEX "exceptions_open_entity_idx";--> statement-breakpoint
DROP INDEX "exceptions_open_owner_idx";--> statement-breakpoint
DROP INDEX "exceptions_open_severity_idx";--> statement-breakpoint
DROP INDEX "exceptions_open_amount_idx";--> statement-breakpoint
DROP INDEX "exceptions_open_entity_type_idx";--> statement-breakpoint
CREATE INDEX "exceptions_open_idx" ON "exceptions" USING btree ("opened_at","id") WHERE "exceptions"."status" in ('open', 'in_progress', 'awaiting_approval', 'awaiting_confirmation');--> statement-breakpoint
CREATE INDEX "exceptions_open_type_idx" ON "exceptions" USING btree ("type","opened_at","id") WHERE "exceptions"."status" in ('open', 'in_progress', 'awaiting_approval', 'awaiting_confirmation');--> statement-breakpoint
CREATE INDEX "exceptions_open_entity_idx" ON "exceptions" USING btree ("entity","opened_at","id") WHERE "exceptions"."status" in ('open', 'in_progress', 'awaiting_approval', 'awaiting_confirmation');--> statement-breakpoint
CREATE INDEX "exceptions_open_owner_idx" ON "exceptions" USING btree ("owner_id","opened_at","id") WHERE "exceptions"."status" in ('open', 'in_progress', 'awaiting_approval', 'awaiting_confirmation');--> statement-breakpoint
CREATE INDEX "exceptions_open_severity_idx" ON "exceptions" USING btree (closeline_severity_order("severity"),"opened_at","id") WHERE "exceptions"."status" in ('open', 'in_progress', 'awaiting_approval', 'awaiting_confirmation');--> statement-breakpoint
CREATE INDEX "exceptions_open_amount_idx" ON "exceptions" USING btree (closeline_amount_size("amount_minor", "currency"),"opened_at","id") WHERE "exceptions"."status" in ('open', 'in_progress', 'awaiting_approval', 'awaiting_confirmation');--> statement-breakpoint
CREATE INDEX "exceptions_open_entity_type_idx" ON "exceptions" USING btree ("entity","type","opened_at","id") WHERE "exceptions"."status" in ('open', 'in_progress', 'awaiting_approval', 'awaiting_confirmation');--> statement-breakpoint
CREATE TABLE "correction_executions" (
	"event_seq" bigint PRIMARY KEY NOT NULL,
	"correction_id" uuid NOT NULL,
	"status" text NOT NULL,
	"executed_at" timestamp with time zone NOT NULL,
	"document_ref" text,
	"error_message" text,
	"event_time" timestamp with time zone NOT NULL,
	"event_id" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "correction_executions" ADD CONSTRAINT "correction_executions_event_seq_events_seq_fk" FOREIGN KEY ("event_seq") REFERENCES "public"."events"("seq") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "correction_executions_correction_idx" ON "correction_executions" USING btree ("correction_id","event_time");
--> statement-breakpoint
-- Exceptions left in awaiting_approval by a correction approved before this release: no
-- proposal of theirs is pending any more, so they wait for the target system.
WITH moved AS (
  UPDATE "exceptions" x SET "status" = 'awaiting_confirmation', "updated_at" = now(), "version" = x."version" + 1
  WHERE x."status" = 'awaiting_approval'
    AND NOT EXISTS (SELECT 1 FROM "corrections" c WHERE c."exception_id" = x."id" AND c."status" = 'pending_approval')
    AND EXISTS (SELECT 1 FROM "corrections" c WHERE c."exception_id" = x."id" AND c."status" = 'approved')
  RETURNING x."id", x."type", x."entity"
)
INSERT INTO "audit_log" ("actor_type", "actor_label", "action", "target_type", "target_id", "before", "after")
SELECT 'system', 'closeline', 'exception.awaiting_confirmation', 'exception', m."id"::text,
  jsonb_build_object('status', 'awaiting_approval'),
  jsonb_build_object('status', 'awaiting_confirmation', 'type', m."type", 'entity', m."entity",
    'reason', 'Its correction was approved before exceptions followed their corrections')
FROM moved m;
