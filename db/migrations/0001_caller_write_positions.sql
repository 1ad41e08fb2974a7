-- Read-your-writes markers for bearer-token callers (db/schema/access.ts): UNLOGGED, since a
-- marker lost in a crash costs nothing and its overwrites then write no WAL and wait for no
-- flush; fillfactor 50 leaves room on each page for HOT updates.
CREATE UNLOGGED TABLE "caller_write_positions" (
	"caller" text PRIMARY KEY NOT NULL,
	"position" "pg_lsn" NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
) WITH (fillfactor = 50);
