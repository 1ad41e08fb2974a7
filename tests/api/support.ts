import { randomUUID } from "node:crypto";
import type { Db } from "@/db/client";
import { insertRejected } from "@/db/queries/ingest";
import { exceptions } from "@/db/schema";
import { SYSTEM_ACTOR } from "@/lib/audit";
import { createApiKey, createPersonalToken } from "@/lib/auth/api-keys";
import { EVENT_TYPES } from "@/lib/contract";
import type { ApiKeyScope } from "@/db/schema";
import { expectDocumented } from "./contract";

/*
 * Calls the /api/v1 handlers as HTTP does: a Request with a bearer credential, a JSON body
 * and headers, answered by a Response whose status, headers and JSON body the tests read.
 */

export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** The body of every error answer (lib/http/respond.ts); a 412 names the current version. */
export interface ErrorBody {
  error: { code: string; message: string; details?: { currentVersion?: number } };
}

export interface CallOptions {
  token?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
}

export function apiRequest(method: string, path: string, options: CallOptions = {}): Request {
  const headers = new Headers(options.headers);
  if (options.token) headers.set("authorization", `Bearer ${options.token}`);
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  return new Request(`http://closeline.test${path}`, { method, headers, body });
}

/**
 * Reads an answer, and checks it against the OpenAPI document when the operation is named
 * ("POST /api/v1/exceptions/{id}/start"): every answer the tests see is one it documents.
 */
export async function answer<T = Record<string, unknown>>(
  response: Response | Promise<Response>,
  operation?: string,
): Promise<Answer<T>> {
  const r = await response;
  const text = await r.text();
  const body = (text ? JSON.parse(text) : null) as T;
  if (operation) {
    const [method, path] = operation.split(" ");
    expectDocumented(method!, path!, r.status, body);
  }
  return { status: r.status, headers: r.headers, body };
}

export async function tokenFor(db: Db, userId: string, name = `token-${randomUUID().slice(0, 6)}`) {
  const { key } = await createPersonalToken(db, { userId, name }, SYSTEM_ACTOR);
  return { key, name };
}

export async function serviceKey(
  db: Db,
  scopes: ApiKeyScope[],
  name = `svc-${randomUUID().slice(0, 6)}`,
) {
  const { key, id } = await createApiKey(db, { name, scopes }, SYSTEM_ACTOR);
  return { key, id, name };
}

/** A failed ERP posting exception naming the attempt a retry follows. */
export async function failedPosting(db: Db) {
  const postingId = `PST-${randomUUID().slice(0, 8)}`;
  const [row] = await db
    .insert(exceptions)
    .values({
      type: "erp_posting_failed",
      problemKey: `posting:${postingId}`,
      title: `Posting ${postingId} failed`,
      entity: "ACME-US",
      amountMinor: 50_000,
      currency: "USD",
      postingId,
      details: { attempt: 1, errorCode: "TIMEOUT" },
    })
    .returning();
  return row!;
}

/** A rejected-events exception with one waiting event that today's contract accepts. */
export async function rejectedGroup(db: Db) {
  const source = `urn:closeline:api-test:${randomUUID().slice(0, 8)}`;
  const reason = "data.entity: unknown entity";
  const payload = {
    specversion: "1.0",
    id: `evt-${randomUUID()}`,
    source,
    type: "erp.posting.attempted",
    time: "2026-11-01T12:00:00Z",
    data: {
      ...EVENT_TYPES["erp.posting.attempted"].example,
      postingId: `PST-${randomUUID().slice(0, 8)}`,
    },
  };
  await insertRejected(
    db,
    [{ batchIndex: 0, source, eventId: payload.id, type: payload.type, payload, errors: [reason] }],
    null,
    "api",
  );
  const [row] = await db
    .insert(exceptions)
    .values({
      type: "event_rejected",
      problemKey: `${source}|${reason}`,
      title: `Rejected events from ${source}`,
      details: { source, reason, count: 1 },
    })
    .returning();
  return row!;
}
