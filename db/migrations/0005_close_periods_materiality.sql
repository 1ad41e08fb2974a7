CREATE TABLE "accounting_periods" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"entity" text NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"period_end" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"closed_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "accounting_periods_range" CHECK ("accounting_periods"."period_start" < "accounting_periods"."period_end"),
	CONSTRAINT "accounting_periods_closed_by" CHECK (("accounting_periods"."closed_at" is null) = ("accounting_periods"."closed_by" is null))
);
--> statement-breakpoint
CREATE TABLE "materiality_thresholds" (
	"entity" text NOT NULL,
	"currency" text NOT NULL,
	"threshold_minor" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	CONSTRAINT "materiality_thresholds_entity_currency_pk" PRIMARY KEY("entity","currency"),
	CONSTRAINT "materiality_thresholds_non_negative" CHECK ("materiality_thresholds"."threshold_minor" >= 0)
);
--> statement-breakpoint
ALTER TABLE "accounting_periods" ADD CONSTRAINT "accounting_periods_closed_by_users_id_fk" FOREIGN KEY ("closed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "materiality_thresholds" ADD CONSTRAINT "materiality_thresholds_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "accounting_periods_entity_start" ON "accounting_periods" USING btree ("entity","period_start");