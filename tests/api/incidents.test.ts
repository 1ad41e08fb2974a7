import { beforeAll, describe, expect, it, vi } from "vitest";
import {
  handleGetIncident,
  handleListIncidents,
  handleRetryIncident,
} from "@/lib/exceptions/incident-http";
import {
  HOUR,
  failedPosting,
  ingest,
  makeUser,
  reconResult,
  theException,
  unique,
  iso,
} from "../exceptions/support";
import { makeEndpoint } from "../outbox/support";
import { testDbForSuite } from "../support/db";
import { answer, apiRequest, serviceKey, tokenFor } from "./support";
import type { CallOptions, ErrorBody } from "./support";

/*
 * GET /api/v1/incidents, GET /api/v1/incidents/{id} and POST /api/v1/incidents/{id}/retry
 * through the handlers the routes use, every answer checked against the OpenAPI document:
 * filters and keyset pages, the blast radius, the derived status, If-Match on the incident's
 * version, Idempotency-Key, and who may read and retry.
 */

vi.mock("next-auth", async () => (await import("../support/no-session")).withoutSession());

interface IncidentBody {
  id: string;
  kind: string;
  status: string;
  version: number;
  memberCount: number;
  openCount: number;
  retryableCount: number;
  entities: string[];
  customers: string[];
  customerCount: number;
  amounts: { currency: string; amountMinor: number; members: number }[];
  members: { id: string; status: string; href: string }[];
}
interface ListBody {
  items: { id: string; status: string; lastSeen: string }[];
  nextCursor: string | null;
}
interface RetryBody {
  incident: IncidentBody;
  succeeded: number;
  failed: number;
  results: { exceptionId: string; outcome: string }[];
}

const t = testDbForSuite();
let opsToken: string;
let executiveToken: string;
let reader: string;
let worker: string;
let entity: string;
let postingIncident: string;
let runIncident: string;

const BASE = Date.parse("2025-04-01T06:00:00Z");

beforeAll(async () => {
  opsToken = (await tokenFor(t.db, (await makeUser(t.db, "operations")).id)).key;
  executiveToken = (await tokenFor(t.db, (await makeUser(t.db, "executive")).id)).key;
  reader = (await serviceKey(t.db, ["read"])).key;
  worker = (await serviceKey(t.db, ["work"])).key;
  await makeEndpoint(t.db, "https://erp.example.test/closeline", ["erp.posting.retry"]);

  entity = unique("ENT");
  const cause = { entity, code: unique("TAX"), system: "/erp/netsuite" };
  const postings = [0, 1, 2].map((i) => failedPosting({ ...cause, at: BASE + i * HOUR }));
  const run = unique("run");
  await ingest(t.db, [
    ...postings.flatMap((p) => p.events),
    reconResult(run, "cus_x", 10_000, 12_000, iso(BASE + 10 * HOUR)),
  ]);
  postingIncident = (await theException(t.db, "erp_posting_failed", postings[0]!.posting))
    .incidentId!;
  runIncident = (await theException(t.db, "reconciliation_break", `${run}/cus_x`)).incidentId!;
});

const list = (query: string, token: string | null = opsToken) =>
  answer<ListBody>(
    handleListIncidents(t.db, apiRequest("GET", `/api/v1/incidents${query}`, { token })),
    "GET /api/v1/incidents",
  );

const get = <T = IncidentBody>(id: string, token: string | null = opsToken) =>
  answer<T>(
    handleGetIncident(t.db, apiRequest("GET", `/api/v1/incidents/${id}`, { token }), id),
    "GET /api/v1/incidents/{id}",
  );

const retry = <T = RetryBody>(id: string, options: CallOptions = {}) =>
  answer<T>(
    handleRetryIncident(
      t.db,
      apiRequest("POST", `/api/v1/incidents/${id}/retry`, { token: opsToken, ...options }),
      id,
    ),
    "POST /api/v1/incidents/{id}/retry",
  );

describe("GET /api/v1/incidents", () => {
  it("lists incidents most recently seen first, filtered, in keyset pages", async () => {
    const all = await list("");
    expect(all.status).toBe(200);
    const ids = all.body.items.map((i) => i.id);
    expect(ids).toEqual(expect.arrayContaining([postingIncident, runIncident]));
    const seen = all.body.items.map((i) => i.lastSeen);
    expect([...seen].sort().reverse()).toEqual(seen);

    const byEntity = await list(`?entity=${entity}&kind=erp_posting_failed`);
    expect(byEntity.body.items.map((i) => i.id)).toEqual([postingIncident]);
    expect((await list(`?kind=usage_incomplete&entity=${entity}`)).body.items).toEqual([]);

    const first = await list("?limit=1");
    expect(first.body.items).toHaveLength(1);
    expect(first.body.nextCursor).not.toBeNull();
    const second = await list(`?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0]!.id).not.toBe(first.body.items[0]!.id);
    expect(ids.indexOf(second.body.items[0]!.id)).toBe(ids.indexOf(first.body.items[0]!.id) + 1);
  });

  it("refuses a bad filter or cursor with 400 and a caller who may not read exceptions with 403", async () => {
    expect((await list("?status=maybe")).status).toBe(400);
    expect((await list("?cursor=bm90LWEtY3Vyc29y")).status).toBe(400);
    expect((await list("", executiveToken)).status).toBe(403);
    expect((await list("", null)).status).toBe(401);
    expect((await list("", reader)).status).toBe(200);
  });
});

describe("GET /api/v1/incidents/{id}", () => {
  it("answers the members and the blast radius, with the version as ETag", async () => {
    const res = await get(postingIncident, reader);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      kind: "erp_posting_failed",
      status: "open",
      memberCount: 3,
      openCount: 3,
      retryableCount: 3,
      entities: [entity],
      customerCount: 3,
      amounts: [{ currency: "USD", amountMinor: 375_000, members: 3 }],
    });
    expect(res.body.customers).toHaveLength(3);
    expect(res.body.members.map((m) => m.href)).toEqual(
      res.body.members.map((m) => `/exceptions/${m.id}`),
    );
    expect(res.headers.get("etag")).toBe(`"${res.body.version}"`);
  });

  it("answers 404 for an unknown or malformed id", async () => {
    expect((await get<ErrorBody>("00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await get<ErrorBody>("not-an-id")).status).toBe(404);
  });
});

describe("POST /api/v1/incidents/{id}/retry", () => {
  it("refuses a stale If-Match with 412 and retries every member once, replaying by Idempotency-Key", async () => {
    const before = await get(postingIncident);
    const stale = await retry<ErrorBody>(postingIncident, {
      headers: { "if-match": `"${before.body.version - 1}"` },
    });
    expect(stale.status).toBe(412);

    const key = unique("idem");
    const done = await retry(postingIncident, {
      headers: { "if-match": `"${before.body.version}"`, "idempotency-key": key },
    });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ succeeded: 3, failed: 0 });
    expect(done.body.results.map((r) => r.outcome)).toEqual([
      "requested",
      "requested",
      "requested",
    ]);
    expect(done.body.incident.members.map((m) => m.status)).toEqual([
      "in_progress",
      "in_progress",
      "in_progress",
    ]);
    expect(done.body.incident.version).toBeGreaterThan(before.body.version);
    expect(done.headers.get("etag")).toBe(`"${done.body.incident.version}"`);

    const replayed = await retry(postingIncident, { headers: { "idempotency-key": key } });
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");
    expect(replayed.body.results).toEqual(done.body.results);

    const again = await retry(postingIncident, { token: worker });
    expect(again.body.results.map((r) => r.outcome)).toEqual([
      "already_requested",
      "already_requested",
      "already_requested",
    ]);
  });

  it("answers 409 when no member can be retried, and 403 to a role that may not work exceptions", async () => {
    const nothing = await retry<ErrorBody>(runIncident);
    expect(nothing.status).toBe(409);
    expect(nothing.body.error.message).toMatch(/only open failed ERP postings/);
    expect((await retry<ErrorBody>(postingIncident, { token: executiveToken })).status).toBe(403);
    expect((await retry<ErrorBody>(postingIncident, { token: reader })).status).toBe(403);
  });
});
