CREATE TABLE "digests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"owner_id" uuid NOT NULL,
	"channel_id" uuid,
	"cadence" text NOT NULL,
	"weekday" integer,
	"local_time" text NOT NULL,
	"time_zone" text NOT NULL,
	"entity" text,
	"enabled" boolean DEFAULT true NOT NULL,
	"last_period_key" text,
	"last_sent_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "digests_cadence" CHECK ("digests"."cadence" in ('daily', 'weekly')),
	CONSTRAINT "digests_weekday" CHECK (("digests"."cadence" = 'weekly') = ("digests"."weekday" is not null) and ("digests"."weekday" is null or "digests"."weekday" between 1 and 7))
);
--> statement-breakpoint
ALTER TABLE "digests" ADD CONSTRAINT "digests_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "digests" ADD CONSTRAINT "digests_channel_id_alert_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."alert_channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "digests_owner_idx" ON "digests" USING btree ("owner_id","created_at") WHERE "digests"."deleted_at" is null;--> statement-breakpoint
ALTER TABLE "outbox_commands" ADD COLUMN "digest_id" uuid;--> statement-breakpoint
ALTER TABLE "outbox_commands" ADD CONSTRAINT "outbox_commands_digest_id_digests_id_fk" FOREIGN KEY ("digest_id") REFERENCES "public"."digests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- A digest to its owner's own address has neither an endpoint nor a channel: the digest names it.
ALTER TABLE "outbox_commands" DROP CONSTRAINT "outbox_commands_one_destination";--> statement-breakpoint
ALTER TABLE "outbox_commands" ADD CONSTRAINT "outbox_commands_one_destination" CHECK (num_nonnulls("outbox_commands"."endpoint_id", "outbox_commands"."alert_channel_id") = 1 or ("outbox_commands"."digest_id" is not null and num_nonnulls("outbox_commands"."endpoint_id", "outbox_commands"."alert_channel_id") = 0));
