-- Exception detection runs after the ingestion transaction commits instead of inside it: the
-- batch writes what detection must look at (its scope) here, in the transaction that stores
-- its events, and the request then works the queue off under the detection lock. A row is
-- deleted by the transaction that carries out its detection, so a batch is detected exactly
-- once even when the process dies between the two (the next batch or the sweep finds it).
CREATE TABLE IF NOT EXISTS "detection_queue" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"detect_at" timestamp with time zone NOT NULL,
	"scope" jsonb NOT NULL,
	"queued_at" timestamp with time zone DEFAULT now() NOT NULL
);
