import type { Db } from "@/db/client";
import { handleChannelCollection } from "@/lib/alerts/http";
import { testDbForSuite } from "../support/db";
import { usersByRole } from "../support/signed-in";
import { FIRST_PASS_BELOW_90 } from "./support";

/*
 * The alert API as its routes call it: a handler, a Request built from a method, a path, a
 * JSON body and headers, and the answer read back with its ETag and replay mark.
 */

// The answers are read loosely: each assertion names the field it checks.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers under test
export type Body = Record<string, any>;

type Handler = (db: Db, request: Request, id: string) => Promise<Response>;

/**
 * An alert API test file: its database (as testDbForSuite's), a user of each role to sign in
 * as (usersByRole), and calls of the API's handlers against that database.
 */
export function alertApiSuite() {
  const t = testDbForSuite();
  return { t, ...usersByRole(t), ...alertApi(t) };
}

/** Calls of the alert API's handlers against the test file's database. */
export function alertApi(file: { readonly db: Db }) {
  async function call(
    handler: Handler,
    method: string,
    path: string,
    body?: unknown,
    id = "",
    headers: Record<string, string> = {},
  ) {
    const request = new Request(`http://closeline.test${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const response = await handler(file.db, request, id);
    const text = await response.text();
    return {
      status: response.status,
      body: text ? (JSON.parse(text) as Body) : null,
      etag: response.headers.get("etag"),
      replayed: response.headers.get("idempotent-replayed") === "true",
    };
  }
  const postChannel = (body: unknown) =>
    call(handleChannelCollection, "POST", "/api/v1/alert-channels", body);
  return { call, postChannel };
}

export const webhook = (name: string, url: string) => ({ kind: "webhook", name, url });

export const RULE = {
  name: "First pass below 90 %",
  severity: "critical",
  condition: FIRST_PASS_BELOW_90,
  entity: null,
  for: "PT0S",
};
