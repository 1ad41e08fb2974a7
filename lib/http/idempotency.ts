import { createHash } from "node:crypto";
import type { Db } from "@/db/client";
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  releaseIdempotencyKey,
} from "@/db/queries/idempotency";
import type { Principal } from "@/lib/auth/session";
import { Conflict, InvalidInput, Unprocessable } from "@/lib/errors";
import { errorResponse, json } from "./respond";

/*
 * Idempotency-Key on writes, with Stripe's semantics: the first request with a key runs and
 * its answer is kept for 24 hours; a repeat with the same request (method, path, body) gets
 * that answer again, marked Idempotent-Replayed, without acting twice; a repeat with another
 * request is 422; a repeat while the first still runs is 409. Keys belong to the caller: a
 * person (whichever of their tokens or their session sends it) or a service key. An answer
 * of 5xx is not kept, so the client may retry with the same key.
 */

export const IDEMPOTENCY_TTL_HOURS = 24;
const MAX_KEY_LENGTH = 255;

function ownerOf(principal: Principal): string {
  return principal.kind === "api_key" ? `key:${principal.key.id}` : `user:${principal.user.id}`;
}

export async function idempotent(
  db: Db,
  request: Request,
  principal: Principal,
  rawBody: string,
  run: () => Promise<Response>,
): Promise<Response> {
  const key = request.headers.get("idempotency-key");
  if (key === null) return run();
  if (key.length === 0 || key.length > MAX_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(key)) {
    throw new InvalidInput(
      `Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} visible ASCII characters`,
    );
  }
  const owner = ownerOf(principal);
  const url = new URL(request.url);
  const requestHash = createHash("sha256")
    .update(`${request.method} ${url.pathname}${url.search}\n${rawBody}`, "utf8")
    .digest("hex");
  const existing = await claimIdempotencyKey(db, {
    owner,
    key,
    requestHash,
    ttlHours: IDEMPOTENCY_TTL_HOURS,
  });
  if (existing) {
    if (existing.requestHash !== requestHash) {
      throw new Unprocessable(
        "This Idempotency-Key was used with a different request; use a new key for a new request",
      );
    }
    if (existing.status === null || existing.response === null) {
      throw new Conflict(
        "A request with this Idempotency-Key is still being processed; retry later",
      );
    }
    const headers: Record<string, string> = { "idempotent-replayed": "true" };
    if (existing.etag) headers.etag = existing.etag;
    if (existing.location) headers.location = existing.location;
    // A 204 kept no body: its replay has none either.
    if (existing.response === "") return new Response(null, { status: existing.status, headers });
    return json(JSON.parse(existing.response), { status: existing.status, headers });
  }
  let response: Response;
  try {
    response = await run();
  } catch (error) {
    response = errorResponse(error);
  }
  if (response.status >= 500) {
    await releaseIdempotencyKey(db, owner, key);
    return response;
  }
  const body = await response.clone().text();
  await completeIdempotencyKey(db, {
    owner,
    key,
    status: response.status,
    response: body,
    etag: response.headers.get("etag"),
    location: response.headers.get("location"),
  });
  return response;
}
