import { beforeAll, describe, expect, it, vi } from "vitest";
import { handleKpis } from "@/lib/kpi/http";
import { suiteWithKeys } from "../support/api-keys";
import {
  attempt,
  checkpoint,
  entitlement,
  ingest,
  invoice,
  payment,
  reconResult,
  setReceivedAt,
} from "./support";
import { NO_ERP_POSTINGS } from "../support/kpi";

/*
 * GET /api/v1/kpis through the handler the route uses: the names docs/kpis.md promises, null
 * (not absent, not 0) where there is nothing to measure, and the answers for a bad query,
 * a missing key and a key without the read scope.
 */

// Signed out: the routes answer to API keys alone (tests/support/no-session.ts).
vi.mock("next-auth", async () => (await import("../support/no-session")).withoutSession());

const { t, keys } = suiteWithKeys({ reader: ["read"], ingester: ["ingest"] });

async function get(query: Record<string, string>, key: string | null = keys.reader) {
  const url = new URL("http://closeline.test/api/v1/kpis");
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  const headers = new Headers();
  if (key) headers.set("authorization", `Bearer ${key}`);
  const response = await handleKpis(t.db, new Request(url, { headers }));
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const DAY_RANGE = { from: "2025-07-01T00:00:00Z", to: "2025-07-02T00:00:00Z" };

beforeAll(async () => {
  // One of each on 2025-07-01, all EU:
  //   checkpoint 09–10h, 199 of 200 received (0.995), arrived 5 s after its 10:00 time
  //   INV-H for the period ending 07-01 00:00, issued 06:00: 6 h
  //   posting PH: attempt 1 succeeded at 07:00, 1 h after the invoice
  //   reconciliation R-H/a: expected 100, actual 90, no tolerance: a break of 10 EUR cents
  //   payment PYH for INV-H at 08:00, entitlement at 08:05: 5 min
  const usage = checkpoint({
    entity: "EU",
    meter: "api_calls",
    windowStart: "2025-07-01T09:00:00Z",
    windowEnd: "2025-07-01T10:00:00Z",
    expectedCount: 200,
    receivedCount: 199,
  });
  await ingest(t.db, [
    usage,
    invoice({
      invoiceId: "INV-H",
      entity: "EU",
      periodEnd: "2025-07-01T00:00:00Z",
      issuedAt: "2025-07-01T06:00:00Z",
    }),
    attempt({
      postingId: "PH",
      invoiceId: "INV-H",
      entity: "EU",
      attempt: 1,
      status: "succeeded",
      attemptedAt: "2025-07-01T07:00:00Z",
    }),
    reconResult({
      runId: "R-H",
      key: "a",
      kind: "billing_vs_erp",
      entity: "EU",
      periodEnd: "2025-07-01T00:00:00Z",
      currency: "EUR",
      expectedMinor: 100,
      actualMinor: 90,
    }),
    payment({ paymentId: "PYH", invoiceId: "INV-H", receivedAt: "2025-07-01T08:00:00Z" }),
    entitlement({ paymentId: "PYH", updatedAt: "2025-07-01T08:05:00Z" }),
  ]);
  // Only the checkpoint is given an arrival in the range; the rest arrived "now".
  await setReceivedAt(t.db, usage, "2025-07-01T10:00:05Z");
});

describe("GET /api/v1/kpis", () => {
  it("answers 200 with the names docs/kpis.md lists, for a read-scope key", async () => {
    const { status, body } = await get(DAY_RANGE);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      usageCompleteness: { expected: 200, received: 199, ratio: 0.995 },
      eventLag: { p50Ms: 5000, p95Ms: 5000 },
      invoiceLatency: { count: 1, p50Ms: 6 * 3_600_000, p95Ms: 6 * 3_600_000 },
      erpPosting: {
        postings: 1,
        firstPassSuccessRate: 1,
        eventualSuccessRate: 1,
        latencyP50Ms: 3_600_000,
        latencyP95Ms: 3_600_000,
        openFailures: 0,
      },
      reconciliation: { results: 1, breaks: 1, breakRate: 1, absVarianceMinor: { EUR: 10 } },
      paymentToEntitlement: { count: 1, p50Ms: 300_000, p95Ms: 300_000, overdue: 0 },
      // Creating the keys and raising exceptions are audited, but not as a user's action.
      manualInterventions: 0,
    });
    // Ingestion raises exceptions of its own (the reconciliation break, at least); their
    // numbers are pinned in exceptions-interventions.test.ts, here only the shape.
    const exceptions = body.exceptions as {
      open: number;
      byType: Record<string, { open: number }>;
    };
    expect(exceptions.open).toBeGreaterThan(0);
    expect(exceptions.open).toBe(
      Object.values(exceptions.byType).reduce((sum, t) => sum + t.open, 0),
    );
    expect(exceptions.byType).toHaveProperty("reconciliation_break.open", 1);
  });

  it("sends null, not 0 and not an absent field, where there is nothing to measure", async () => {
    const { status, body } = await get({ ...DAY_RANGE, entity: "NOWHERE" });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      usageCompleteness: { expected: 0, received: 0, ratio: null },
      eventLag: { p50Ms: null, p95Ms: null },
      invoiceLatency: { count: 0, p50Ms: null, p95Ms: null },
      erpPosting: NO_ERP_POSTINGS,
      reconciliation: { results: 0, breaks: 0, breakRate: null, absVarianceMinor: {} },
      paymentToEntitlement: { count: 0, p50Ms: null, p95Ms: null, overdue: 0 },
      manualInterventions: 0,
    });
    expect(body.exceptions).toEqual({ open: 0, byType: {} });
    expect(body.range).toEqual({
      from: "2025-07-01T00:00:00.000Z",
      to: "2025-07-02T00:00:00.000Z",
      entity: "NOWHERE",
      bucket: "hour",
    });
  });

  it("defaults to the last 30 days when from and to are both left out", async () => {
    const { status, body } = await get({});
    expect(status).toBe(200);
    const range = body.range as { from: string; to: string; bucket: string };
    expect(Date.parse(range.to) - Date.parse(range.from)).toBe(30 * 86_400_000);
    expect(range.bucket).toBe("day");
  });

  it.each([
    ["from without to", { from: DAY_RANGE.from }],
    ["to without from", { to: DAY_RANGE.to }],
    ["to before from", { from: DAY_RANGE.to, to: DAY_RANGE.from }],
    ["to equal to from", { from: DAY_RANGE.from, to: DAY_RANGE.from }],
    ["from not a timestamp", { from: "yesterday", to: DAY_RANGE.to }],
    ["a timestamp without a zone", { from: "2025-07-01T00:00:00", to: DAY_RANGE.to }],
    ["a range over 366 days", { from: "2024-01-01T00:00:00Z", to: "2025-07-02T00:00:00Z" }],
    ["an empty entity", { ...DAY_RANGE, entity: "" }],
  ])("answers 400 for %s", async (_, query) => {
    const { status, body } = await get(query);
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { code: "invalid_input" } });
  });

  it("answers 401 without a key, and with a key that does not exist", async () => {
    for (const key of [null, "cl_not-a-real-key"]) {
      const { status, body } = await get(DAY_RANGE, key);
      expect(status).toBe(401);
      expect(body).toMatchObject({ error: { code: "unauthenticated" } });
    }
  });

  it("answers 403 to a key with the ingest scope only", async () => {
    const { status, body } = await get(DAY_RANGE, keys.ingester);
    expect(status).toBe(403);
    expect(body).toMatchObject({ error: { code: "forbidden" } });
  });
});
