import type { Db } from "@/db/client";
import { guardApi } from "@/lib/auth/session";
import { handle, json } from "@/lib/http/respond";
import { listEventsPage } from "./list";

/** GET /api/v1/events with the database passed in (see lib/ingest/http.ts for why). */
export const handleListEvents = handle(async (db: Db, request: Request) => {
  await guardApi(db, request, "GET /api/v1/events");
  return json(await listEventsPage(db, new URL(request.url).searchParams));
});
