import { randomUUID } from "node:crypto";
import type { z } from "zod";
import type { Db } from "@/db/client";
import type { ApiKeyScope } from "@/db/schema";
import { SYSTEM_ACTOR } from "@/lib/audit";
import { createApiKey } from "@/lib/auth/api-keys";
import { EVENT_TYPES, type EventType } from "@/lib/contract";
import type { EventListResponse } from "@/lib/contract/responses";
import { handleListEvents } from "@/lib/events/http";
import { handleIngest } from "@/lib/ingest/http";

/*
 * Helpers for the ingestion integration tests. They build real Request objects and hand
 * them to the handlers the route uses, so everything from the Authorization header to the
 * committed rows is exercised; only the HTTP server itself is left to the e2e suite.
 */

export const EVENTS_URL = "http://closeline.test/api/v1/events";

export async function makeKey(db: Db, scopes: ApiKeyScope[], name = "test key") {
  return createApiKey(db, { name: `${name} ${randomUUID().slice(0, 8)}`, scopes }, SYSTEM_ACTOR);
}

export interface CloudEvent {
  specversion: string;
  id: string;
  source: string;
  type: string;
  time: string;
  data?: unknown;
  [attribute: string]: unknown;
}

/** A valid event of `type` with the contract's example data, overridable, and a unique id. */
export function makeEvent(
  type: EventType,
  overrides: Partial<CloudEvent> = {},
  data: Record<string, unknown> = {},
): CloudEvent {
  return {
    specversion: "1.0",
    id: `evt_${randomUUID()}`,
    source: "/tests/ingest",
    type,
    time: "2026-11-01T12:00:00Z",
    data: { ...EVENT_TYPES[type].example, ...data },
    ...overrides,
  };
}

export interface Answer<T> {
  status: number;
  headers: Headers;
  body: T;
}

export interface IngestAnswer {
  accepted: number;
  duplicates: number;
  rejected: { index: number; id: string | null; errors: string[] }[];
}

export interface ErrorAnswer {
  error: { code: string; message: string; details?: unknown };
}

/** A page of GET /api/v1/events, as the contract describes it. */
export type EventsPage = z.output<typeof EventListResponse>;

async function answer<T>(response: Response): Promise<Answer<T>> {
  return { status: response.status, headers: response.headers, body: (await response.json()) as T };
}

export interface PostOptions {
  key?: string | null;
  /** Defaults to the CloudEvents media type that fits the body; null sends none. */
  contentType?: string | null;
  /** Sent as the body verbatim instead of JSON-encoding `body`. */
  raw?: string;
}

export async function postEvents<T = IngestAnswer>(
  db: Db,
  body: unknown,
  options: PostOptions = {},
): Promise<Answer<T>> {
  const headers = new Headers();
  const contentType =
    options.contentType === undefined
      ? Array.isArray(body)
        ? "application/cloudevents-batch+json"
        : "application/cloudevents+json"
      : options.contentType;
  if (contentType) headers.set("content-type", contentType);
  if (options.key) headers.set("authorization", `Bearer ${options.key}`);
  const request = new Request(EVENTS_URL, {
    method: "POST",
    headers,
    // A string body would make fetch add "text/plain"; bytes let a test send no type at all.
    body: new TextEncoder().encode(options.raw ?? JSON.stringify(body)),
  });
  return answer<T>(await handleIngest(db, request));
}

export async function getEvents<T = EventsPage>(
  db: Db,
  query: Record<string, string | number | undefined>,
  key: string | null,
): Promise<Answer<T>> {
  const url = new URL(EVENTS_URL);
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) url.searchParams.set(name, String(value));
  }
  const headers = new Headers();
  if (key) headers.set("authorization", `Bearer ${key}`);
  return answer<T>(await handleListEvents(db, new Request(url, { headers })));
}
