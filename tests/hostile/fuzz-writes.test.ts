import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "@/db/client";
import { exceptions } from "@/db/schema";
import { SYSTEM_ACTOR } from "@/lib/audit";
import * as alertHttp from "@/lib/alerts/http";
import { ROUTE_ACCESS } from "@/lib/auth/route-access";
import { createUser } from "@/lib/auth/users";
import { EXCEPTION_ACTIONS } from "@/lib/contract/work-api";
import {
  handleDecideCorrection,
  handleGetCorrection,
  handleListCorrections,
  handleProposeCorrection,
} from "@/lib/corrections/api";
import { handleBulk, handleExceptionAction, handleGetException } from "@/lib/exceptions/api";
import {
  handleGetIncident,
  handleListIncidents,
  handleRetryIncident,
} from "@/lib/exceptions/incident-http";
import { handleContractThread, handleCustomerThread, handleInvoiceThread } from "@/lib/thread/http";
import { handleDigestCollection, handleDigestItem } from "@/lib/digests/http";
import { handleFxRates } from "@/lib/money/http";
import type { Role } from "@/db/schema";
import { testDbForSuite } from "../support/db";
import { signIn } from "../support/signed-in";
import { ingest, invoiceIssued, postingAttempt } from "../exceptions/support";
import {
  BOUNDARY_TIMESTAMPS,
  HUGE_NUMBERS,
  NASTY_STRINGS,
  PROTO_OBJECTS,
  RawJson,
  SQL_INJECTIONS,
  expectPrototypesClean,
  fuzzOptions,
  hostileValue,
  toJsonText,
} from "./support";

/*
 * The work API and the alert API under hostile input: every route that takes a body or an
 * id in its path gets bodies of the wrong shape and hostile values where the right ones go,
 * ids that are not ids, and the headers a client controls (If-Match, Idempotency-Key,
 * Content-Type). Whatever arrives, the answer is a 2xx, or a 4xx in the error shape with a
 * message — never a 5xx — and no prototype is polluted. Each route acts as a finance user of
 * its own, so one route's requests never spend another's write allowance.
 */

vi.mock("next-auth", async () => (await import("../support/signed-in")).withSession());
// A session's user is read through the app's database handle: this test's database.
vi.mock("@/db", async () => (await import("../support/signed-in")).withDb(() => t.db));

const t = testDbForSuite();
let exceptionId: string;
/** The incident of that exception (a failed posting forms one), for the incident routes. */
let incidentId: string;

beforeAll(async () => {
  await ingest(
    t.db,
    [invoiceIssued("INV-FUZZ-1")],
    [postingAttempt("PST-FUZZ-1", "INV-FUZZ-1", 1, "failed", "2025-03-01T07:00:00Z")],
  );
  const [row] = await t.db
    .select({ id: exceptions.id, incidentId: exceptions.incidentId })
    .from(exceptions)
    .limit(1);
  exceptionId = row!.id;
  incidentId = row!.incidentId!;
});

type Call = (db: Db, request: Request, id: string) => Promise<Response>;

/** Each route's caller is a finance user of its own, or one of `role` where finance may not call it. */
const ROUTES: Record<string, { call: Call; body: boolean; role?: Role }> = {
  "GET /api/v1/exceptions/[id]": { call: handleGetException, body: false },
  ...Object.fromEntries(
    EXCEPTION_ACTIONS.map((action) => [
      `POST /api/v1/exceptions/[id]/${action}`,
      {
        call: (db: Db, r: Request, id: string) => handleExceptionAction(db, r, id, action),
        body: true,
      },
    ]),
  ),
  "POST /api/v1/exceptions/bulk": { call: handleBulk, body: true },
  "GET /api/v1/threads/invoice/[id]": { call: handleInvoiceThread, body: false },
  "GET /api/v1/threads/customer/[id]": { call: handleCustomerThread, body: false },
  "GET /api/v1/threads/contract/[id]": { call: handleContractThread, body: false },
  "GET /api/v1/incidents": { call: handleListIncidents, body: false },
  "GET /api/v1/incidents/[id]": { call: handleGetIncident, body: false },
  "POST /api/v1/incidents/[id]/retry": { call: handleRetryIncident, body: true },
  "POST /api/v1/exceptions/[id]/corrections": { call: handleProposeCorrection, body: true },
  "GET /api/v1/corrections": { call: handleListCorrections, body: false },
  "GET /api/v1/corrections/[id]": { call: handleGetCorrection, body: false },
  "POST /api/v1/corrections/[id]/approve": {
    call: (db, r, id) => handleDecideCorrection(db, r, id, "approve"),
    body: true,
  },
  "POST /api/v1/corrections/[id]/reject": {
    call: (db, r, id) => handleDecideCorrection(db, r, id, "reject"),
    body: true,
  },
  /** An admin enters rates; each fuzzed one that passes converts exceptions again, as it would. */
  "POST /api/v1/fx-rates": { call: handleFxRates, body: true, role: "admin" },
  "GET /api/v1/alerts": { call: alertHttp.handleAlertList, body: false },
  "POST /api/v1/alerts/[id]/acknowledge": { call: alertHttp.handleAcknowledge, body: true },
  "GET /api/v1/alerts/[id]/deliveries": { call: alertHttp.handleAlertDeliveries, body: false },
  "POST /api/v1/alert-rules/backtest": { call: alertHttp.handleRuleBacktest, body: true },
  "GET /api/v1/alerts/counts": { call: alertHttp.handleAlertCounts, body: false },
  "GET /api/v1/alert-silences": { call: alertHttp.handleSilenceCollection, body: false },
  "POST /api/v1/alert-silences": { call: alertHttp.handleSilenceCollection, body: true },
  "GET /api/v1/alert-silences/[id]": { call: alertHttp.handleSilenceItem, body: false },
  "DELETE /api/v1/alert-silences/[id]": { call: alertHttp.handleSilenceItem, body: false },
  ...Object.fromEntries(
    (["GET", "POST"] as const).flatMap((method) => [
      [
        `${method} /api/v1/alert-rules`,
        { call: alertHttp.handleRuleCollection, body: method === "POST" },
      ],
      [
        `${method} /api/v1/alert-channels`,
        { call: alertHttp.handleChannelCollection, body: method === "POST" },
      ],
      [`${method} /api/v1/digests`, { call: handleDigestCollection, body: method === "POST" }],
    ]),
  ),
  ...Object.fromEntries(
    (["GET", "PATCH", "DELETE"] as const).flatMap((method) => [
      [
        `${method} /api/v1/alert-rules/[id]`,
        { call: alertHttp.handleRuleItem, body: method === "PATCH" },
      ],
      [
        `${method} /api/v1/alert-channels/[id]`,
        { call: alertHttp.handleChannelItem, body: method === "PATCH" },
      ],
      [`${method} /api/v1/digests/[id]`, { call: handleDigestItem, body: method === "PATCH" }],
    ]),
  ),
};

/** Routes whose input is fuzzed by their own suites (fuzz-ingest, fuzz-queries). */
const FUZZED_ELSEWHERE = new Set([
  "POST /api/v1/events",
  "POST /api/v1/reconciliation-results/upload",
]);

const hostileText = fc.oneof(
  fc.constantFrom(...SQL_INJECTIONS, ...NASTY_STRINGS, ...BOUNDARY_TIMESTAMPS),
  fc.constantFrom(...HUGE_NUMBERS).map(String),
  fc.string({ unit: "binary", maxLength: 40 }),
);

/** A field of a body: a plausible value or a hostile one. */
const field = fc.oneof(
  fc.constantFrom<unknown>("erp_posting_failed", "fixed_in_source", "credit_note", "billing"),
  fc.constantFrom<unknown>("USD", "EUR", 1_000, 0, -1, "a reason long enough to pass"),
  fc.constantFrom<unknown>("1.0825", "0.000000000001", "2026-11-01", "9999-12-31", "0000-01-01"),
  hostileValue,
);

const FIELDS = [
  "assignee",
  "body",
  "reason",
  "note",
  "kind",
  "amountMinor",
  "currency",
  "targetSystem",
  "ids",
  "action",
  "name",
  "severity",
  "condition",
  "channels",
  "url",
  "comment",
  "entity",
  "for",
  "ruleId",
  "dimension",
  "until",
  "repeat",
  "quietHours",
  "groupWindow",
  "reportingCurrency",
  "rate",
  "effectiveDate",
];

const body = fc.oneof(
  fc.dictionary(fc.constantFrom(...FIELDS), field, { maxKeys: 6 }).map((o) => toJsonText(o)),
  fc.constantFrom(...PROTO_OBJECTS).map((raw) => (raw instanceof RawJson ? raw.text : "{}")),
  hostileValue.map((v) => toJsonText(v)),
  fc.constantFrom("", "{", "null", "[]", '{"a":'),
);

const headers = fc.record(
  {
    "if-match": fc.oneof(
      fc.constantFrom('"1"', '"0"', "1", '"-1"', '"99999999999999999999"', "*", 'W/"1"'),
      hostileText,
    ),
    "idempotency-key": fc.oneof(fc.uuid(), hostileText, fc.constant("k".repeat(10_000))),
    "content-type": fc.constantFrom(
      "application/json",
      "text/plain",
      "application/json; charset=utf-16",
      "multipart/form-data",
    ),
  },
  { requiredKeys: [] },
);

const query = fc.dictionary(
  fc.constantFrom("status", "state", "limit", "cursor", "q", "from", "to", "kind", "entity"),
  fc.oneof(
    fc.constantFrom(
      "pending_approval",
      "firing",
      "resolved",
      "open",
      "usage_incomplete",
      "10",
      "0",
      "501",
    ),
    hostileText,
  ),
  { maxKeys: 3 },
);

/** Header values a Request accepts: a client cannot send others over HTTP. */
const sendable = (value: string) => /^[\t\x20-\x7e\x80-\xff]*$/.test(value);

async function readWriteAnswer(response: Response, request: string) {
  const text = await response.text();
  const context = `${response.status} for ${request.slice(0, 300)}: ${text.slice(0, 300)}`;
  expect(response.status, context).toBeLessThan(500);
  if (response.status === 204) {
    expect(text, context).toBe("");
    return;
  }
  expect(response.headers.get("content-type") ?? "", context).toMatch(/^application\/json/);
  const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
  if (response.status >= 400) {
    expect(typeof parsed.error?.code, context).toBe("string");
    expect(typeof parsed.error?.message, context).toBe("string");
  }
}

describe("the work and alert APIs under hostile input", () => {
  it("every route that takes a body or a path id is fuzzed here or by its own suite", () => {
    const routes = Object.keys(ROUTE_ACCESS).filter(
      (r) => /^(POST|PATCH|PUT|DELETE) \/api\//.test(r) || /^GET \/api\/.*\[id\]/.test(r),
    );
    const unfuzzed = routes.filter((r) => !ROUTES[r] && !FUZZED_ELSEWHERE.has(r));
    expect(unfuzzed, "add these routes to ROUTES").toEqual([]);
  });

  it.each(Object.entries(ROUTES))(
    "%s answers a 2xx or a 4xx with a message",
    async (name, route) => {
      const user = await createUser(
        t.db,
        { email: `fuzz-${randomUUID().slice(0, 8)}@example.test`, role: route.role ?? "finance" },
        SYSTEM_ACTOR,
      );
      const [method, path] = name.split(" ") as [string, string];
      const id = fc.oneof(
        fc.constant(path.startsWith("/api/v1/incidents") ? incidentId : exceptionId),
        fc.uuid(),
        fc.constantFrom("0", "-1", "null", "%00", "../../etc/passwd", "x".repeat(5_000)),
        hostileText,
      );
      await fc.assert(
        fc.asyncProperty(id, body, headers, query, async (pathId, text, sent, params) => {
          signIn(user.id);
          const url = new URL(
            `http://closeline.test${path.replace("[id]", encodeURIComponent(pathId))}`,
          );
          for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
          const h = new Headers();
          for (const [k, v] of Object.entries(sent)) if (sendable(v)) h.set(k, v);
          const request = new Request(url, {
            method,
            headers: h,
            body: route.body ? text : undefined,
          });
          await readWriteAnswer(
            await route.call(t.db, request, pathId),
            `${method} ${url.pathname}${url.search} ${JSON.stringify(sent)} ${text.slice(0, 200)}`,
          );
          expectPrototypesClean();
        }),
        fuzzOptions(40),
      );
    },
    180_000,
  );
});
