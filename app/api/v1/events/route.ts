import { getDb } from "@/db";
import { authenticateApiKey } from "@/lib/auth/api-keys";
import { InvalidInput } from "@/lib/errors";
import { listEventsPage } from "@/lib/events/list";
import { handle, json } from "@/lib/http/respond";
import { ingestItems, recordUnreadableBody } from "@/lib/ingest/ingest";
import { readEventsBody } from "@/lib/ingest/request";

export const dynamic = "force-dynamic";

export const POST = handle(async (request: Request) => {
  const db = await getDb();
  const key = await authenticateApiKey(db, request, "ingest");
  const context = { apiKeyId: key.id, channel: "api" as const };
  const body = await readEventsBody(request);
  if (!body.ok) {
    await recordUnreadableBody(db, body.text, body.reason, context);
    throw new InvalidInput(body.reason);
  }
  return json(await ingestItems(db, body.items, context));
});

export const GET = handle(async (request: Request) => {
  const db = await getDb();
  await authenticateApiKey(db, request, "read");
  return json(await listEventsPage(db, new URL(request.url).searchParams));
});
