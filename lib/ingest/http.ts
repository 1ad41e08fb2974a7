import type { Db } from "@/db/client";
import { guardApi } from "@/lib/auth/session";
import { InvalidInput } from "@/lib/errors";
import { handle, json } from "@/lib/http/respond";
import { env } from "@/lib/env";
import { ingestItems, recordUnreadableBody } from "./ingest";
import { KeyRateLimiter } from "./rate-limit";
import { readEventsBody } from "./request";

/**
 * POST /api/v1/events with the database passed in, so the route stays one line and the
 * integration tests drive exactly this code against a database of their own.
 * The caller is checked before the body is read, so an anonymous sender can neither make us
 * buffer 5 MB nor fill the rejected-events table.
 */
const rateLimiter = new KeyRateLimiter({
  perSecond: env.CLOSELINE_INGEST_RATE_PER_KEY,
  burst: env.CLOSELINE_INGEST_BURST_PER_KEY,
});

export const handleIngest = handle(async (db: Db, request: Request) => {
  const principal = await guardApi(db, request, "POST /api/v1/events");
  if (principal.kind === "api_key") rateLimiter.take(principal.key.id);
  const context = {
    apiKeyId: principal.kind === "api_key" ? principal.key.id : null,
    channel: "api" as const,
  };
  const body = await readEventsBody(request);
  if (!body.ok) {
    await recordUnreadableBody(db, body.text, body.reason, context);
    throw new InvalidInput(body.reason);
  }
  return json(await ingestItems(db, body.items, context));
});
