import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { fxRates } from "@/db/schema";
import { SYSTEM_ACTOR } from "@/lib/audit";
import { createApiKey } from "@/lib/auth/api-keys";
import { handleGetException } from "@/lib/exceptions/api";
import { handleListExceptions } from "@/lib/exceptions/http";
import type { QueuePage } from "@/lib/exceptions/queue";
import { testDbForSuite } from "../support/db";
import { seedException } from "../exceptions/support";

/*
 * The amount at risk over HTTP: each exception answers it in its own currency and in the
 * reporting currency with the rate used (held to the OpenAPI document by the test setup),
 * null where unknown or where no rate was in effect; GET /api/v1/exceptions sorts and
 * filters by it, in the reporting currency's major units as typed.
 */

vi.mock("next-auth", async () => (await import("../support/no-session")).withoutSession());

const t = testDbForSuite();
const ENTITY = `FX-${randomUUID().slice(0, 6)}`;
let reader: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  reader = (await createApiKey(t.db, { name: "reader", scopes: ["read"] }, SYSTEM_ACTOR)).key;
  await t.db.insert(fxRates).values({
    currency: "EUR",
    reportingCurrency: "USD",
    effectiveDate: "2026-11-01",
    rate: "1.0825",
    source: "admin",
    at: new Date("2026-11-01T00:00:00Z"),
  });
  const seeds = {
    // 1,000.00 EUR × 1.0825 = 1,082.50 USD.
    euros: { amountMinor: 100_000, currency: "EUR", openedAt: new Date("2026-11-03T09:00:00Z") },
    // Opened before the first EUR rate: not converted.
    eurosNoRate: {
      amountMinor: 900_000,
      currency: "EUR",
      openedAt: new Date("2026-10-20T09:00:00Z"),
    },
    dollars: { amountMinor: 99_999, currency: "USD", openedAt: new Date("2026-11-04T09:00:00Z") },
    unknown: { amountMinor: null, currency: null, openedAt: new Date("2026-11-05T09:00:00Z") },
  };
  for (const [name, seed] of Object.entries(seeds)) {
    ids[name] = (await seedException(t.db, { ...seed, entity: ENTITY })).id;
  }
});

function get(path: string, query: Record<string, string> = {}) {
  const url = new URL(`http://closeline.test${path}`);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return new Request(url, { headers: { authorization: `Bearer ${reader}` } });
}

async function list(query: Record<string, string>) {
  const response = await handleListExceptions(t.db, get("/api/v1/exceptions", query));
  expect(response.status).toBe(200);
  return (await response.json()) as QueuePage;
}

describe("amount at risk over HTTP", () => {
  it("answers each exception's amount in both currencies, saying which rate", async () => {
    const response = await handleGetException(
      t.db,
      get(`/api/v1/exceptions/${ids.euros}`),
      ids.euros!,
    );
    expect(response.status).toBe(200);
    const { exception } = (await response.json()) as { exception: Record<string, unknown> };
    expect(exception).toMatchObject({
      amountAtRisk: { minor: 100_000, currency: "EUR" },
      amountAtRiskReporting: {
        minor: 108_250,
        currency: "USD",
        rate: "1.0825",
        rateDate: "2026-11-01",
      },
      reportingCurrency: "USD",
    });
  });

  it("sorts by the converted amount, largest first, unknown and unconverted last", async () => {
    const page = await list({ entity: ENTITY, sort: "reporting_amount" });
    expect(page.items.map((i) => i.id).slice(0, 2)).toEqual([ids.euros, ids.dollars]);
    expect(new Set(page.items.slice(2).map((i) => i.id))).toEqual(
      new Set([ids.eurosNoRate, ids.unknown]),
    );
    const noRate = page.items.find((i) => i.id === ids.eurosNoRate)!;
    expect(noRate).toMatchObject({
      amountAtRisk: { minor: 900_000, currency: "EUR" },
      amountAtRiskReporting: null,
      reportingCurrency: "USD",
    });
    expect(page.items.find((i) => i.id === ids.unknown)).toMatchObject({
      amountAtRisk: null,
      amountAtRiskReporting: null,
    });
  });

  it("filters by the converted amount in the reporting currency's major units", async () => {
    const atLeast = await list({ entity: ENTITY, rmin: "1000.00" });
    expect(atLeast.items.map((i) => i.id)).toEqual([ids.euros]);
    const between = await list({ entity: ENTITY, rmin: "999.99", rmax: "1,082.49" });
    expect(between.items.map((i) => i.id)).toEqual([ids.dollars]);
  });

  it("refuses a bound with more decimals than the reporting currency has", async () => {
    const response = await handleListExceptions(
      t.db,
      get("/api/v1/exceptions", { entity: ENTITY, rmin: "10.001" }),
    );
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/^rmin: USD has 2 decimals/);
  });
});
