import type { Db } from "@/db/client";
import { guardApi } from "@/lib/auth/session";
import { handle } from "@/lib/http/respond";
import { readForApi } from "@/lib/server/read-routing";
import { streamEventsPage } from "./list";

/** GET /api/v1/events with the database passed in (see lib/ingest/http.ts for why). */
export const handleListEvents = handle(async (db: Db, request: Request) => {
  const principal = await guardApi(db, request, "GET /api/v1/events");
  const searchParams = new URL(request.url).searchParams;
  const { value: page } = await readForApi(db, request, principal, (reads) =>
    streamEventsPage(reads, searchParams),
  );
  return new Response(page, {
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
  });
});
