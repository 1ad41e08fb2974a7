ALTER TABLE "corrections" ALTER COLUMN "proposed_by" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "corrections" ADD COLUMN "proposed_by_key_id" uuid;--> statement-breakpoint
ALTER TABLE "corrections" ADD CONSTRAINT "corrections_proposed_by_key_id_api_keys_id_fk" FOREIGN KEY ("proposed_by_key_id") REFERENCES "public"."api_keys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "corrections" ADD CONSTRAINT "corrections_one_proposer" CHECK (("proposed_by" is null) <> ("proposed_by_key_id" is null));
