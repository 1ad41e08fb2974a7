import type { Db } from "@/db/client";
import { guardApi, type Principal } from "@/lib/auth/session";
import { handle, json } from "@/lib/http/respond";
import { readForApi } from "@/lib/server/read-routing";
import { countExceptions } from "@/db/queries/exceptions";
import { EXPORT_LIMIT, exceptionsCsvStream } from "./csv";
import { loadQueueCounts, loadQueuePage, resolveQueueFilters, type Viewer } from "./queue";
import { loadQueueParams, withoutPage } from "./queue-params";

/*
 * The queues over HTTP, with the page's own URL params (lib/exceptions/queue-params.ts): the
 * browser's live refresh reads GET /api/v1/exceptions (a page) and
 * GET /api/v1/exceptions/counts (the tabs' counts), and the "Export CSV" link is
 * GET /api/v1/exceptions.csv with the same query. A session with exceptions:read or an API
 * key with the read scope may call both; owner=me needs a session. All three may be served by
 * a streaming replica (lib/server/read-routing.ts).
 */

/** Whom "me" names in a queue filter: the signed-in user; an API key is nobody. */
const viewerOf = (principal: Principal): Viewer | null =>
  principal.kind === "user" ? principal.user : null;

export const handleListExceptions = handle(async (db: Db, request: Request) => {
  const principal = await guardApi(db, request, "GET /api/v1/exceptions");
  const params = loadQueueParams(new URL(request.url));
  const served = await readForApi(db, request, principal, (reads) =>
    loadQueuePage(reads, params, viewerOf(principal)),
  );
  return json(served.value);
});

export const handleExceptionCounts = handle(async (db: Db, request: Request) => {
  const principal = await guardApi(db, request, "GET /api/v1/exceptions/counts");
  const params = withoutPage(loadQueueParams(new URL(request.url)));
  const served = await readForApi(db, request, principal, (reads) =>
    loadQueueCounts(reads, params, viewerOf(principal)),
  );
  return json(served.value);
});

export const handleExceptionsCsv = handle(async (db: Db, request: Request) => {
  const principal = await guardApi(db, request, "GET /api/v1/exceptions.csv");
  const viewer = viewerOf(principal);
  const url = new URL(request.url);
  const params = withoutPage(loadQueueParams(url));
  const now = new Date();
  // Counted first, so a bad filter is a 400 before the download starts and the response can
  // say up front whether the file holds every match. The file streams from the same database.
  const { value: exported } = await readForApi(db, request, principal, async (reads) => {
    const counted = await countExceptions(
      reads,
      await resolveQueueFilters(reads, params, viewer, now),
      { cap: EXPORT_LIMIT, now },
    );
    return { ...counted, stream: exceptionsCsvStream(reads, params, viewer, url.origin, now) };
  });
  const { count, capped } = exported;
  const stamp = now.toISOString().slice(0, 16).replace(/[-:]/g, "").replace("T", "-");
  return new Response(exported.stream, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="exceptions-${params.type ?? "all"}-${stamp}.csv"`,
      "cache-control": "no-store",
      "x-export-rows": String(count),
      "x-export-limit": String(EXPORT_LIMIT),
      "x-export-truncated": capped ? "true" : "false",
    },
  });
});
