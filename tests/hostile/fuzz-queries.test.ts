import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import type { Db } from "@/db/client";
import { ROUTE_ACCESS } from "@/lib/auth/route-access";
import { handleCloseReadiness, handleCloseReadinessCsv } from "@/lib/close/http";
import { EVENT_TYPE_NAMES } from "@/lib/contract";
import { handleListEvents } from "@/lib/events/http";
import {
  handleExceptionCounts,
  handleExceptionsCsv,
  handleListExceptions,
} from "@/lib/exceptions/http";
import { AGE_CHOICES } from "@/lib/exceptions/queue-params";
import { SORTS, STATUSES, TYPES } from "@/lib/exceptions/vocabulary";
import { handleKpis } from "@/lib/kpi/http";
import { handleFxRates } from "@/lib/money/http";
import { encodeCursor } from "@/lib/pagination";
import { handleSearch } from "@/lib/thread/http";
import { apiKeysFor } from "../support/api-keys";
import { WILDCARD_TITLES, seededSuite } from "./read-seed";
import {
  BOUNDARY_TIMESTAMPS,
  SQL_INJECTIONS,
  expectPrototypesClean,
  fuzzOptions,
  hostileText,
  readAnswer,
} from "./support";

/*
 * Hostile query strings for every GET route of the API, through the handlers the routes
 * use, with a read-scope key: random and boundary values for each parameter the route's
 * parser knows, crafted cursors that decode but lie, unknown and repeated parameters, and
 * broken percent-encoding. The answer is a 200 or a 4xx with a message, never a 5xx, and not
 * one row of any table changes (API keys are counted only: a request stamps last_used_at).
 * The operator route, which takes a JSON body: fuzz-cli.test.ts. Seeded: see
 * tests/hostile/support.ts.
 */

// Signed out: the routes answer to API keys alone (tests/support/no-session.ts).
vi.mock("next-auth", async () => (await import("../support/no-session")).withoutSession());

const { t, snapshot } = seededSuite(WILDCARD_TITLES);
const keys = apiKeysFor(t, { reader: ["read"] });

// ---------------------------------------------------------------------------------------

const or = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 2, arbitrary: valid.map(String) }, { weight: 1, arbitrary: hostileText });

/** Any instant JavaScript can print, including years PostgreSQL cannot hold. */
const anyInstant = fc
  .date({ min: new Date("-000100-01-01T00:00:00Z"), max: new Date("+010000-12-31T00:00:00Z") })
  .filter((d) => !Number.isNaN(d.getTime()));
const plausibleInstant = fc
  .date({ min: new Date("2020-01-01T00:00:00Z"), max: new Date("2030-01-01T00:00:00Z") })
  .filter((d) => !Number.isNaN(d.getTime()));
const instantText = fc.oneof(
  plausibleInstant.map((d) => d.toISOString()),
  anyInstant.map((d) => d.toISOString()),
  fc.constantFrom(...BOUNDARY_TIMESTAMPS),
);
const numberText = fc.oneof(
  fc.integer({ min: -10, max: 2000 }).map(String),
  fc.double().map(String),
  fc.constantFrom("1e400", "-1e400", "NaN", "Infinity", "-0", "0x10", "1_0", " 5", "5 ", ""),
);
/** A cursor this API could have made, with values it never makes. */
const lyingValue = fc.oneof(
  fc.constantFrom<unknown>(null, true, -1, 0.5, 2 ** 63, 1e308, "", "x", [], {}, "NaN", "1e400"),
  fc.constantFrom<unknown>(...BOUNDARY_TIMESTAMPS, ...SQL_INJECTIONS),
  instantText,
  fc.uuid(),
  fc.double().map(String),
);
const anyCursor = (shape: Record<string, fc.Arbitrary<unknown>>) =>
  fc.oneof(
    fc.record(shape).map(encodeCursor),
    fc.record(Object.fromEntries(Object.keys(shape).map((k) => [k, lyingValue]))).map(encodeCursor),
    fc.base64String({ maxLength: 80 }),
    hostileText,
  );

interface GetRoute {
  path: string;
  handler: (db: Db, request: Request) => Promise<Response>;
  params: Record<string, fc.Arbitrary<string>>;
  /** Parameters that only mean something together (a range, a cursor and its sort). */
  together?: fc.Arbitrary<Record<string, string>>;
}

/** A range the parser lets through (at most 366 days), anywhere in time. */
const anyRange = fc
  .tuple(anyInstant, fc.integer({ min: 1, max: 366 * 86_400_000 }))
  .map(([from, ms]) => ({
    from: from.toISOString(),
    to: new Date(Math.min(from.getTime() + ms, 8.64e15)).toISOString(),
  }));

/** A cursor for the very sort and direction asked for, so it gets past that check. */
const matchingExceptionCursor = fc
  .record({
    sort: fc.constantFrom(...SORTS),
    dir: fc.constantFrom("asc", "desc"),
    k: fc.oneof(fc.integer().map(String), lyingValue),
    o: fc.oneof(instantText, lyingValue),
    i: fc.oneof({ weight: 3, arbitrary: fc.uuid() }, { weight: 1, arbitrary: lyingValue }),
    which: fc.constantFrom("after", "before"),
  })
  .map(({ sort, dir, k, o, i, which }) => ({
    sort,
    dir,
    [which]: encodeCursor({ s: sort, d: dir, k, o, i }),
  }));

const exceptionParams: GetRoute["params"] = {
  type: or(fc.constantFrom(...TYPES)),
  entity: or(fc.constantFrom("ACME-US", "ACME-EU")),
  status: or(fc.subarray([...STATUSES], { minLength: 1 }).map((s) => s.join(","))),
  owner: or(fc.constantFrom("me", "unassigned", randomUUID())),
  age: or(fc.constantFrom(...AGE_CHOICES)),
  min: numberText,
  max: numberText,
  rmin: fc.oneof(
    numberText,
    fc.constantFrom("1,250.50", "0.001", "99999999999999999999", "9223372036854775807"),
  ),
  rmax: numberText,
  q: or(fc.constantFrom("Seeded", "INV-1", "100%", "match_")),
  sort: or(fc.constantFrom(...SORTS)),
  dir: or(fc.constantFrom("asc", "desc")),
  size: or(fc.constantFrom(25, 50, 100)),
  after: anyCursor({
    s: fc.constantFrom(...SORTS),
    d: fc.constantFrom("asc", "desc"),
    k: fc.oneof(fc.constant(null), fc.integer().map(String), lyingValue),
    o: fc.oneof(instantText, lyingValue),
    i: fc.oneof(fc.uuid(), lyingValue),
  }),
  before: anyCursor({
    s: fc.constant("opened_at"),
    d: fc.constant("asc"),
    k: fc.constant(null),
    o: fc.oneof(instantText, lyingValue),
    i: fc.uuid(),
  }),
};

const closeParams: GetRoute["params"] = {
  entity: or(fc.constantFrom("ACME-US", "ACME-EU")),
  period: or(
    fc
      .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }))
      .map(([y, m]) => `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}`),
  ),
  completenessTarget: numberText,
};

const GET_ROUTES: Record<string, GetRoute> = {
  "GET /api/v1/events": {
    path: "/api/v1/events",
    handler: handleListEvents,
    params: {
      type: or(fc.constantFrom(...EVENT_TYPE_NAMES)),
      source: or(fc.constantFrom("/tests/exceptions", "urn:acme:billing")),
      from: or(instantText),
      to: or(instantText),
      cursor: anyCursor({ t: instantText, s: fc.nat() }),
      limit: numberText,
    },
    together: anyRange,
  },
  "GET /api/v1/kpis": {
    path: "/api/v1/kpis",
    handler: handleKpis,
    params: {
      from: or(instantText),
      to: or(instantText),
      entity: or(fc.constantFrom("ACME-US", "ACME-EU")),
    },
    together: anyRange,
  },
  "GET /api/v1/exceptions": {
    path: "/api/v1/exceptions",
    handler: handleListExceptions,
    params: exceptionParams,
    together: matchingExceptionCursor,
  },
  "GET /api/v1/exceptions/counts": {
    path: "/api/v1/exceptions/counts",
    handler: handleExceptionCounts,
    params: exceptionParams,
  },
  "GET /api/v1/exceptions.csv": {
    path: "/api/v1/exceptions.csv",
    handler: handleExceptionsCsv,
    params: exceptionParams,
  },
  "GET /api/v1/close-readiness": {
    path: "/api/v1/close-readiness",
    handler: handleCloseReadiness,
    params: closeParams,
  },
  "GET /api/v1/close-readiness.csv": {
    path: "/api/v1/close-readiness.csv",
    handler: handleCloseReadinessCsv,
    params: closeParams,
  },
  "GET /api/v1/fx-rates": {
    path: "/api/v1/fx-rates",
    handler: handleFxRates,
    params: {
      currency: or(fc.constantFrom("EUR", "GBP", "eur", "XXX")),
      reportingCurrency: or(fc.constantFrom("USD", "EUR")),
      effectiveFrom: or(fc.constantFrom("2026-11-01", "2026-02-30", "0000-01-01")),
      effectiveTo: or(fc.constantFrom("2026-11-30", "9999-12-31", "2026-13-01")),
      cursor: anyCursor({
        d: fc.constantFrom("2026-11-01", "1970-01-01"),
        c: fc.constantFrom("EUR", "GBP"),
        r: fc.constantFrom("USD"),
      }),
      limit: numberText,
    },
  },
  "GET /api/v1/search": {
    path: "/api/v1/search",
    handler: handleSearch,
    params: { q: or(fc.constantFrom("INV-1", "INV", "PST-", "cus_1", "1", "00000000-")) },
  },
};

/** Routes fuzzed in fuzz-ingest.test.ts, and those that read no input but the caller. */
const FUZZED_ELSEWHERE = new Set([
  "POST /api/v1/events",
  "POST /api/v1/reconciliation-results/upload",
  // The work and alert APIs' lists, with their writes and id routes, are fuzz-writes.test.ts.
  "GET /api/v1/corrections",
  "GET /api/v1/incidents",
  "GET /api/v1/alerts",
  "GET /api/v1/alert-rules",
  "GET /api/v1/alert-channels",
  "GET /api/v1/alert-silences",
  "GET /api/v1/alerts/counts",
  "GET /api/v1/digests",
]);
/** Writes and routes with an id in the path: fuzz-writes.test.ts, which checks it has them all. */
const takesBodyOrId = (route: string) =>
  /^(POST|PATCH|PUT|DELETE) /.test(route) || /^GET \/api\/.*\[id\]/.test(route);
const WITHOUT_INPUT = new Set([
  "/api/health",
  "/api/v1/openapi.json",
  // next-auth's own routes; sign-in's limits and answers are tests/auth/sign-in.test.ts.
  "/api/auth/[...nextauth]",
  // Fuzzed below, without the route table: it is not a handler of (db, request).
  "/api/internal/cli",
  // Any path no route owns: a JSON 404 whatever it holds (e2e/not-found.spec.ts).
  "/api/[...path]",
]);

/** A query for `route`: some of its parameters, perhaps repeated, perhaps unknown ones. */
function queryFor(route: GetRoute) {
  const names = Object.keys(route.params);
  return fc
    .tuple(
      fc.record(route.params, { requiredKeys: [] }),
      route.together ? fc.option(route.together) : fc.constant(null),
      fc.array(
        fc.tuple(fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 10 })), hostileText),
        {
          maxLength: 2,
        },
      ),
      fc.constantFrom(
        "",
        "&%zz=%",
        "&%E0%A4%A=%C0%AF",
        "&=&&==",
        "&limit",
        "&entity=%00",
        "&q=%F0%9F%92%B8",
        "&type[]=x&type[]=y",
      ),
    )
    .map(([known, together, extra, raw]) => {
      const params = new URLSearchParams();
      // Parameters that go together replace their single counterparts (and the cursors).
      const single = together
        ? Object.entries(known).filter(([name]) => !["after", "before", "cursor"].includes(name))
        : Object.entries(known);
      for (const [name, value] of [...single, ...Object.entries(together ?? {})]) {
        if (value !== undefined) params.set(name, value);
      }
      for (const [name, value] of extra) params.append(name, value);
      return `${params.toString()}${raw}`;
    });
}

async function get(route: GetRoute, query: string) {
  const url = `http://closeline.test${route.path}?${query}`;
  const request = new Request(url, { headers: { authorization: `Bearer ${keys.reader}` } });
  return readAnswer(await route.handler(t.db, request), `GET ${url}`);
}

describe("GET routes under fuzzed query strings", () => {
  it("every API route that takes input is fuzzed here or in fuzz-ingest.test.ts", () => {
    const routes = Object.keys(ROUTE_ACCESS).filter((r) => r.includes("/api/"));
    const unfuzzed = routes.filter(
      (r) =>
        !GET_ROUTES[r] && !FUZZED_ELSEWHERE.has(r) && !WITHOUT_INPUT.has(r) && !takesBodyOrId(r),
    );
    expect(unfuzzed, "add these routes to GET_ROUTES (or FUZZED_ELSEWHERE)").toEqual([]);
  });

  it.each(Object.entries(GET_ROUTES))(
    "%s answers 200 or a 4xx with a message and changes no row",
    async (_name, route) => {
      const before = await snapshot();
      await fc.assert(
        fc.asyncProperty(queryFor(route), async (query) => {
          await get(route, query);
          expectPrototypesClean();
        }),
        fuzzOptions(120),
      );
      expect(await snapshot()).toEqual(before);
    },
    120_000,
  );
});

// ---------------------------------------------------------------------------------------
