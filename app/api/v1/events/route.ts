import { getDb } from "@/db";
import { handleListEvents } from "@/lib/events/http";
import { handle } from "@/lib/http/respond";
import { handleIngest } from "@/lib/ingest/http";

export const dynamic = "force-dynamic";

// The handlers live in lib/ so that tests can run them against a database of their own.
export const POST = handle(async (request: Request) => handleIngest(await getDb(), request));

export const GET = handle(async (request: Request) => handleListEvents(await getDb(), request));
