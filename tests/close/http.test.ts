import { beforeAll, describe, expect, it, vi } from "vitest";
import { SYSTEM_ACTOR } from "@/lib/audit";
import { DEFAULT_TARGETS, saveTargets } from "@/lib/kpi/targets";
import { CSV_COLUMNS } from "@/lib/close/csv";
import { handleCloseReadiness, handleCloseReadinessCsv } from "@/lib/close/http";
import type { CloseReadiness } from "@/lib/close/readiness";
import { suiteWithKeys } from "../support/api-keys";
import { OCT, completeUsage, ingest, invoice, posting, uniqueEntity } from "./support";

/*
 * GET /api/v1/close-readiness and its CSV, through the handlers the routes use, with API keys
 * (the session path is the same guardApi and is covered by tests/auth and the e2e suite).
 */

// Signed out: the routes answer to API keys alone (tests/support/no-session.ts).
vi.mock("next-auth", async () => (await import("../support/no-session")).withoutSession());

const { t, keys } = suiteWithKeys({ reader: ["read"], writer: ["ingest"] });
let entity: string;

beforeAll(async () => {
  entity = uniqueEntity("http");
  await ingest(
    t.db,
    completeUsage(entity),
    invoice(entity, { invoiceId: `${entity}-ok`, issuedAt: OCT(2) }),
    posting(entity, { invoiceId: `${entity}-ok`, status: "succeeded", attemptedAt: OCT(2, 1) }),
    invoice(entity, { invoiceId: `${entity}-stuck`, issuedAt: OCT(3), amountMinor: 129_900 }),
    posting(entity, {
      invoiceId: `${entity}-stuck`,
      status: "failed",
      attemptedAt: OCT(3, 1),
      errorCode: "GL_PERIOD_CLOSED",
      errorMessage: "=cmd|' /C calc'!A0, a formula from a hostile ERP",
    }),
  );
});
function get(path: string, key: string | null) {
  const headers = new Headers();
  if (key) headers.set("authorization", `Bearer ${key}`);
  const request = new Request(`http://closeline.test${path}`, { headers });
  return path.startsWith("/api/v1/close-readiness.csv")
    ? handleCloseReadinessCsv(t.db, request)
    : handleCloseReadiness(t.db, request);
}

describe("GET /api/v1/close-readiness", () => {
  it("answers the verdict and the checklist to a read-scope key", async () => {
    const res = await get(`/api/v1/close-readiness?entity=${entity}&period=2026-10`, keys.reader);
    expect(res.status).toBe(200);
    const body = (await res.json()) as CloseReadiness;
    expect(body).toMatchObject({
      entity,
      verdict: "no_go",
      completenessTarget: 0.995,
      period: { key: "2026-10" },
    });
    expect(body.checks).toHaveLength(6);
    const erp = body.checks.find((c) => c.key === "invoices_posted")!;
    expect(erp).toMatchObject({ passed: false, blockerCount: 1 });
    expect(erp.blockers[0]).toMatchObject({
      ref: `${entity}-stuck`,
      amountMinor: 129_900,
      currency: "USD",
    });
  });

  it("takes the completeness target from the query", async () => {
    const res = await get(
      `/api/v1/close-readiness?entity=${entity}&period=2026-10&completenessTarget=0.9`,
      keys.reader,
    );
    expect(((await res.json()) as CloseReadiness).completenessTarget).toBe(0.9);
  });

  it("refuses without credentials, with the wrong scope, and with a malformed query", async () => {
    expect((await get(`/api/v1/close-readiness?entity=${entity}`, null)).status).toBe(401);
    expect((await get(`/api/v1/close-readiness?entity=${entity}`, keys.writer)).status).toBe(403);
    const bad = await get(`/api/v1/close-readiness?entity=${entity}&period=2026-13`, keys.reader);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      error: { code: "invalid_input", details: ["period: must be a month as YYYY-MM"] },
    });
    expect((await get(`/api/v1/close-readiness?period=2026-10`, keys.reader)).status).toBe(400);
  });

  it("answers 404 for an entity no telemetry names, in JSON and for the CSV", async () => {
    for (const path of ["/api/v1/close-readiness", "/api/v1/close-readiness.csv"]) {
      const res = await get(`${path}?entity=NO-SUCH-ENTITY&period=2026-10`, keys.reader);
      expect(res.status, path).toBe(404);
      expect(await res.json(), path).toEqual({
        error: { code: "not_found", message: "No telemetry names this entity" },
      });
    }
  });
});

describe("GET /api/v1/close-readiness.csv", () => {
  it("is a CSV download of every check and blocker", async () => {
    const res = await get(
      `/api/v1/close-readiness.csv?entity=${entity}&period=2026-10`,
      keys.reader,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(
      `attachment; filename="close-readiness-${entity}-2026-10.csv"`,
    );
    const lines = (await res.text()).trimEnd().split("\r\n");
    expect(lines[0]).toBe(CSV_COLUMNS.join(","));
    // One line per check without blockers, one per blocker: 5 passing checks + 1 blocker.
    expect(lines).toHaveLength(1 + 6);
    const blocker = lines.find((l) => l.includes(`${entity}-stuck`))!;
    expect(blocker).toContain(
      `${entity},2026-10,NO-GO,invoices_posted,Every issued invoice posted to the ERP,fail,`,
    );
    expect(blocker).toContain(`,unposted_invoice,${entity}-stuck,`);
    expect(blocker).toContain(",129900,1299.00,USD,");
    // Text from telemetry can never run as a spreadsheet formula.
    expect(blocker).not.toMatch(/,=cmd/);
    expect(blocker).toContain("GL_PERIOD_CLOSED — =cmd");
    const passing = lines.find((l) => l.includes(",usage_complete,"))!;
    expect(passing).toContain(",pass,");
    expect(passing).toMatch(
      /,0,,,,,,,,http:\/\/closeline\.test\/close\?entity=.*&period=2026-10#check-usage_complete$/,
    );
  });

  it("is guarded like the JSON", async () => {
    expect((await get(`/api/v1/close-readiness.csv?entity=${entity}`, null)).status).toBe(401);
    expect((await get(`/api/v1/close-readiness.csv?entity=${entity}`, keys.writer)).status).toBe(
      403,
    );
  });
});

describe("the completeness target", () => {
  // Last in the file: it changes the database-wide KPI targets.
  it("follows the one admins set for the overview, unless the query names one", async () => {
    await saveTargets(
      t.db,
      { ...DEFAULT_TARGETS, usageCompleteness: { ok: 0.9, warn: null } },
      SYSTEM_ACTOR,
    );
    const configured = await get(
      `/api/v1/close-readiness?entity=${entity}&period=2026-10`,
      keys.reader,
    );
    expect(((await configured.json()) as CloseReadiness).completenessTarget).toBe(0.9);
    const named = await get(
      `/api/v1/close-readiness?entity=${entity}&period=2026-10&completenessTarget=0.999`,
      keys.reader,
    );
    expect(((await named.json()) as CloseReadiness).completenessTarget).toBe(0.999);
  });
});
