-- Incidents: exceptions that share a cause (lib/exceptions/incidents.ts). exceptions is a small
-- table (one row per problem), so its index is built here, not concurrently.
CREATE TABLE IF NOT EXISTS "incidents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"cause_key" text NOT NULL,
	"title" text NOT NULL,
	"first_seen" timestamp with time zone NOT NULL,
	"last_seen" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "incidents_cause_idx" ON "incidents" USING btree ("cause_key","last_seen");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "incidents_last_seen_idx" ON "incidents" USING btree ("last_seen","id");--> statement-breakpoint
ALTER TABLE "exceptions" ADD COLUMN "incident_id" uuid;--> statement-breakpoint
ALTER TABLE "exceptions" ADD CONSTRAINT "exceptions_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "exceptions_incident_idx" ON "exceptions" USING btree ("incident_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "exceptions_unassigned_idx" ON "exceptions" USING btree ("id") WHERE "exceptions"."incident_id" is null and "exceptions"."type" in ('erp_posting_failed', 'usage_incomplete', 'reconciliation_break');--> statement-breakpoint
-- The existing exceptions, grouped by the rule detection applies from now on: per cause, a
-- member more than 24 hours after the one before it starts a new incident (a reconciliation
-- run's breaks are one incident whatever their times). Each incident's id is derived from its
-- cause and its place in the cause's sequence, so the members can find it without a lookup.
CREATE TEMPORARY VIEW "incident_backfill" AS
WITH members AS (
	SELECT x.id, x.type, x.opened_at,
		CASE x.type
			WHEN 'erp_posting_failed' THEN 'erp_posting_failed|' || coalesce(a.event_source, '') || '|' || coalesce(x.entity, '') || '|' || coalesce(x.details->>'errorCode', 'unknown')
			WHEN 'usage_incomplete' THEN 'usage_incomplete|' || coalesce(x.details->>'source', '')
			ELSE 'reconciliation_break|' || x.run_id
		END AS cause_key,
		CASE x.type
			WHEN 'erp_posting_failed' THEN 'ERP postings failing with ' || coalesce(x.details->>'errorCode', 'unknown error') || coalesce(' on ' || x.entity, '') || coalesce(' (' || a.event_source || ')', '')
			WHEN 'usage_incomplete' THEN 'Usage incomplete from ' || coalesce(x.details->>'source', 'an unknown source')
			ELSE 'Reconciliation run ' || x.run_id || ' breaks'
		END AS title
	FROM "exceptions" x
	LEFT JOIN "erp_posting_attempts" a ON x.type = 'erp_posting_failed' AND a.posting_id = x.posting_id
		AND a.attempt = (x.details->>'attempt')::bigint
	WHERE x.type IN ('erp_posting_failed', 'usage_incomplete')
		OR (x.type = 'reconciliation_break' AND x.run_id IS NOT NULL)
),
marked AS (
	SELECT m.*, CASE WHEN m.type <> 'reconciliation_break'
		AND m.opened_at > lag(m.opened_at) OVER (PARTITION BY m.cause_key ORDER BY m.opened_at, m.id) + interval '24 hours'
		THEN 1 ELSE 0 END AS starts
	FROM members m
)
SELECT m.id, m.type, m.opened_at, m.cause_key, m.title,
	md5(m.cause_key || '#' || sum(m.starts) OVER (PARTITION BY m.cause_key ORDER BY m.opened_at, m.id))::uuid AS incident_id
FROM marked m;--> statement-breakpoint
INSERT INTO "incidents" ("id", "kind", "cause_key", "title", "first_seen", "last_seen")
SELECT b.incident_id, min(b.type), min(b.cause_key), min(b.title), min(b.opened_at), max(b.opened_at)
FROM "incident_backfill" b GROUP BY b.incident_id;--> statement-breakpoint
UPDATE "exceptions" x SET "incident_id" = b.incident_id FROM "incident_backfill" b WHERE b.id = x.id;--> statement-breakpoint
DROP VIEW "incident_backfill";
