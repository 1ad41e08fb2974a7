import type { Db } from "@/db/client";
import { guardApi } from "@/lib/auth/session";
import { parseQuery } from "@/lib/parse-input";
import { resolveTimeRange } from "@/lib/filters/time-range";
import { handle, json } from "@/lib/http/respond";
import { readForApi } from "@/lib/server/read-routing";
import { computeKpis } from "./engine";
import { KpiQuery } from "./query";

export { KpiQuery };

export function parseKpiQuery(searchParams: URLSearchParams) {
  const query = parseQuery(KpiQuery, searchParams);
  const range =
    query.from && query.to
      ? { from: new Date(query.from), to: new Date(query.to) }
      : resolveTimeRange({ range: null, from: null, to: null });
  return { ...range, entity: query.entity ?? null };
}

/** GET /api/v1/kpis?from=&to=&entity= — session with kpis:read or an API key with the read scope. */
export const handleKpis = handle(async (db: Db, request: Request) => {
  const principal = await guardApi(db, request, "GET /api/v1/kpis");
  const query = parseKpiQuery(new URL(request.url).searchParams);
  return json(
    (await readForApi(db, request, principal, (reads) => computeKpis(reads, query))).value,
  );
});
