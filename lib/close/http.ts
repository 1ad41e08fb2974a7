import type { Db } from "@/db/client";
import { guardApi } from "@/lib/auth/session";
import { entityExists } from "@/db/queries/entities";
import { NotFound } from "@/lib/errors";
import { parseQuery } from "@/lib/parse-input";
import { handle, json } from "@/lib/http/respond";
import { readForApi } from "@/lib/server/read-routing";
import { readinessCsv } from "./csv";
import { periodFromKey, previousPeriod } from "./period";
import { CloseReadinessQuery } from "./query";
import { computeCloseReadiness, configuredCompletenessTarget } from "./readiness";

/** Enough for any real month's blockers; the file stays a download, not a data dump. */
const CSV_BLOCKER_LIMIT = 10_000;

export { CloseReadinessQuery };

/** The query, with the period defaulting to last month and the target to the configured one. */
export async function parseCloseReadinessQuery(db: Db, searchParams: URLSearchParams) {
  const { entity, period, completenessTarget } = parseQuery(CloseReadinessQuery, searchParams);
  // An entity no telemetry names would read as a NO-GO month with no usage: say it is unknown.
  if (!(await entityExists(db, entity))) throw new NotFound("No telemetry names this entity");
  return {
    entity,
    period: period ? periodFromKey(period) : previousPeriod(),
    completenessTarget: completenessTarget ?? (await configuredCompletenessTarget(db)),
  };
}

/** GET /api/v1/close-readiness?entity=&period=YYYY-MM — session with close:read or a read-scope key. */
export const handleCloseReadiness = handle(async (db: Db, request: Request) => {
  const principal = await guardApi(db, request, "GET /api/v1/close-readiness");
  const searchParams = new URL(request.url).searchParams;
  const served = await readForApi(db, request, principal, async (reads) =>
    computeCloseReadiness(reads, await parseCloseReadinessQuery(reads, searchParams)),
  );
  return json(served.value);
});

/** GET /api/v1/close-readiness.csv?entity=&period=YYYY-MM — the checklist and every blocker. */
export const handleCloseReadinessCsv = handle(async (db: Db, request: Request) => {
  const principal = await guardApi(db, request, "GET /api/v1/close-readiness.csv");
  const url = new URL(request.url);
  const { value: report } = await readForApi(db, request, principal, async (reads) =>
    computeCloseReadiness(reads, {
      ...(await parseCloseReadinessQuery(reads, url.searchParams)),
      blockerLimit: CSV_BLOCKER_LIMIT,
    }),
  );
  const filename = `close-readiness-${report.entity.replace(/[^A-Za-z0-9_-]/g, "_")}-${report.period.key}.csv`;
  return new Response(readinessCsv(report, url.origin), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${filename}"`,
      "cache-control": "no-store",
    },
  });
});
