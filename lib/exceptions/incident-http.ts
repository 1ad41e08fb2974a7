import type { Db } from "@/db/client";
import { requestMeta } from "@/lib/audit";
import { actorUserId, auditActorOf } from "@/lib/auth/actor";
import { actorOf, guardApi } from "@/lib/auth/session";
import { ListIncidentsQuery } from "@/lib/contract/incident-api";
import { EmptyBody } from "@/lib/contract/work-api";
import { NotFound } from "@/lib/errors";
import { etag, ifMatchVersion, readJsonObject } from "@/lib/http/json-body";
import { idempotent } from "@/lib/http/idempotency";
import { handle, json } from "@/lib/http/respond";
import { writeLimiter } from "@/lib/http/write-limit";
import { readForApi } from "@/lib/server/read-routing";
import { parseBody } from "./api";
import { loadIncident, loadIncidentList, requestIncidentRetry } from "./incident-view";

/*
 * Incidents over HTTP. Reading one is reading exceptions (exceptions:read, or a key with
 * read); retrying one is retrying each member (exceptions:work, or a key with work), with
 * the write limiter, If-Match on the incident's version and Idempotency-Key as every
 * exception action has.
 */

async function incidentOr404(db: Db, id: string) {
  const incident = await loadIncident(db, id);
  if (!incident) throw new NotFound("No such incident");
  return incident;
}

export const handleListIncidents = handle(async (db: Db, request: Request) => {
  const principal = await guardApi(db, request, "GET /api/v1/incidents");
  const url = new URL(request.url);
  const query = parseBody(ListIncidentsQuery, Object.fromEntries(url.searchParams));
  const { status, kind, entity, limit, cursor } = query;
  const { value } = await readForApi(db, request, principal, (reads) =>
    loadIncidentList(reads, { status, kind, entity }, { limit, cursor }),
  );
  return json(value);
});

export const handleGetIncident = handle(async (db: Db, request: Request, id: string) => {
  await guardApi(db, request, "GET /api/v1/incidents/[id]");
  const incident = await incidentOr404(db, id);
  return json(incident, { headers: { etag: etag(incident.version) } });
});

export const handleRetryIncident = handle(async (db: Db, request: Request, id: string) => {
  const principal = await guardApi(db, request, "POST /api/v1/incidents/[id]/retry");
  writeLimiter.take(principal);
  const { body, raw } = await readJsonObject(request);
  return idempotent(db, request, principal, raw, async () => {
    parseBody(EmptyBody, body);
    const actor = actorOf(principal);
    const by = {
      userId: actorUserId(actor),
      actor: auditActorOf(actor),
      meta: requestMeta(request),
    };
    const results = await requestIncidentRetry(db, id, by, ifMatchVersion(request));
    const incident = await incidentOr404(db, id);
    const succeeded = results.filter((r) => r.outcome !== "failed").length;
    return json(
      { incident, succeeded, failed: results.length - succeeded, results },
      { headers: { etag: etag(incident.version) } },
    );
  });
});
