import type { Db } from "@/db/client";
import { readApiJson, auditContextOf, parseApiId } from "@/lib/alerts/http";
import { guardApi, type Principal } from "@/lib/auth/session";
import { Forbidden } from "@/lib/errors";
import { handle, json } from "@/lib/http/respond";
import { writeLimiter } from "@/lib/http/write-limit";
import { createDigest, deleteDigest, getDigest, listDigests, updateDigest } from "./digests";

/*
 * /api/v1/digests: a person's own digests, by session or personal token. Every write counts
 * against the caller's write limit (lib/http/write-limit.ts).
 */

type ItemMethod = "GET" | "PATCH" | "DELETE";
const ITEM_ROUTES: Record<ItemMethod, string> = {
  GET: "GET /api/v1/digests/[id]",
  PATCH: "PATCH /api/v1/digests/[id]",
  DELETE: "DELETE /api/v1/digests/[id]",
};

/** A digest belongs to a person: a service key has no address to send one to. */
function ownerOf(principal: Principal) {
  if (principal.kind !== "user")
    throw new Forbidden("A digest belongs to a person; use a personal token");
  return { id: principal.user.id, role: principal.user.role };
}

export const handleDigestCollection = handle(async (db: Db, request: Request) => {
  if (request.method === "POST") {
    const principal = await guardApi(db, request, "POST /api/v1/digests");
    writeLimiter.take(principal);
    const digest = await createDigest(
      db,
      ownerOf(principal),
      await readApiJson(request),
      auditContextOf(principal, request),
    );
    return json(digest, { status: 201 });
  }
  const principal = await guardApi(db, request, "GET /api/v1/digests");
  return json({ data: await listDigests(db, ownerOf(principal)) });
});

export const handleDigestItem = handle(async (db: Db, request: Request, rawId: string) => {
  const method: ItemMethod =
    request.method === "PATCH" || request.method === "DELETE" ? request.method : "GET";
  const principal = await guardApi(db, request, ITEM_ROUTES[method]);
  if (method !== "GET") writeLimiter.take(principal);
  const id = parseApiId(rawId, "digest");
  const owner = ownerOf(principal);
  switch (method) {
    case "PATCH":
      return json(
        await updateDigest(
          db,
          id,
          owner,
          await readApiJson(request),
          auditContextOf(principal, request),
        ),
      );
    case "DELETE":
      await deleteDigest(db, id, owner, auditContextOf(principal, request));
      return new Response(null, { status: 204 });
    default:
      return json(await getDigest(db, id, owner));
  }
});
