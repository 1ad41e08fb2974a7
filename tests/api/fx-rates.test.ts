import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, expectTypeOf, it, vi } from "vitest";
import type { z } from "zod";
import { auditLog, exceptions, fxRates } from "@/db/schema";
import { WRITE_RATE } from "@/lib/http/write-limit";
import type { FxRateEntered, FxRateList } from "@/lib/contract/fx-api";
import { handleFxRates } from "@/lib/money/http";
import type { RateView, loadRatePage } from "@/lib/money/rates";
import type { EnteredRate } from "@/lib/money/reporting";
import { makeUser, seedException } from "../exceptions/support";
import { testDbForSuite } from "../support/db";
import { answer, apiRequest, serviceKey, tokenFor } from "./support";
import type { CallOptions, ErrorBody } from "./support";

/*
 * GET and POST /api/v1/fx-rates through the handler the route uses, every answer checked
 * against the OpenAPI document: an admin enters a rate as on the settings page (exact decimal
 * string, replacing the pair's rate of that day, audited with who through which token, the
 * exceptions converted again), with Idempotency-Key and the write limit; readers page through
 * the rates with filters; whoever may not is refused.
 */

vi.mock("next-auth", async () => (await import("../support/no-session")).withoutSession());

interface RateBody {
  currency: string;
  reportingCurrency: string;
  effectiveDate: string;
  rate: string;
  source: string;
  replaced?: { rate: string; source: string } | null;
}
interface ListBody {
  items: RateBody[];
  nextCursor: string | null;
}

const t = testDbForSuite();
let admin: { id: string; email: string };
let adminToken: { key: string; name: string };
let financeToken: string;
let executiveToken: string;
let reader: string;
let worker: string;

beforeAll(async () => {
  admin = await makeUser(t.db, "admin");
  adminToken = await tokenFor(t.db, admin.id, "rates-script");
  financeToken = (await tokenFor(t.db, (await makeUser(t.db, "finance")).id)).key;
  executiveToken = (await tokenFor(t.db, (await makeUser(t.db, "executive")).id)).key;
  reader = (await serviceKey(t.db, ["read"])).key;
  worker = (await serviceKey(t.db, ["work"])).key;
});

/** A rate into USD as the API takes it. */
const intoUsd = (currency: string, rate: string, effectiveDate: string) => ({
  currency,
  reportingCurrency: "USD",
  rate,
  effectiveDate,
});

const post = <T = RateBody>(options: CallOptions) =>
  answer<T>(
    handleFxRates(t.db, apiRequest("POST", "/api/v1/fx-rates", options)),
    "POST /api/v1/fx-rates",
  );
const list = <T = ListBody>(query: string, token: string = reader) =>
  answer<T>(
    handleFxRates(t.db, apiRequest("GET", `/api/v1/fx-rates${query}`, { token })),
    "GET /api/v1/fx-rates",
  );

describe("POST /api/v1/fx-rates", () => {
  it("the documented schemas describe what the handler answers", () => {
    expectTypeOf<Awaited<ReturnType<typeof loadRatePage>>>().toExtend<z.input<typeof FxRateList>>();
    expectTypeOf<RateView & { replaced: EnteredRate["replaced"] }>().toExtend<
      z.input<typeof FxRateEntered>
    >();
  });

  it("enters a rate exactly, converts the exceptions it applies to, and audits who entered it", async () => {
    const x = await seedException(t.db, {
      amountMinor: 12_345,
      currency: "SEK",
      openedAt: new Date("2026-11-05T10:00:00Z"),
    });
    expect((await reread(x.id)).reportingAmountMinor).toBeNull();
    const body = intoUsd("SEK", "0.095123456789", "2026-11-01");
    const created = await post({ token: adminToken.key, body });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...body, source: "admin", replaced: null });
    // 123.45 SEK × 0.095123456789 = 11.743 USD → 11.74 USD, and the rate said back as entered.
    expect(await reread(x.id)).toMatchObject({
      reportingAmountMinor: 1_174,
      reportingRate: "0.095123456789",
    });

    const replaced = await post({ token: adminToken.key, body: { ...body, rate: "0.1" } });
    expect(replaced.status).toBe(200);
    expect(replaced.body.replaced).toEqual({ rate: "0.095123456789", source: "admin" });
    expect((await reread(x.id)).reportingAmountMinor).toBe(1_235);

    const audit = await t.db
      .select()
      .from(auditLog)
      .where(
        and(eq(auditLog.action, "fx.rate_entered"), eq(auditLog.targetId, "SEK/USD/2026-11-01")),
      )
      .orderBy(auditLog.id);
    expect(audit).toHaveLength(2);
    expect(audit[1]).toMatchObject({
      actorType: "user",
      actorId: admin.id,
      actorLabel: `${admin.email} via token rates-script`,
      before: { rate: "0.095123456789", source: "admin" },
      after: { rate: "0.1", source: "admin" },
    });
  });

  it("refuses what the admin form refuses, and unknown fields, storing nothing", async () => {
    const base = { currency: "NOK", reportingCurrency: "USD", effectiveDate: "2026-11-01" };
    for (const body of [
      { ...base, rate: "0" },
      { ...base, rate: "1e2" },
      { ...base, rate: 1.1 },
      { ...base, rate: "1.0000000000001" },
      { ...base, rate: "-1.2" },
      { ...base, rate: "1.1", reportingCurrency: "NOK" },
      { ...base, rate: "1.1", effectiveDate: "2026-02-30" },
      { ...base, rate: "1.1", currency: "nok" },
      { ...base, rate: "1.1", source: "event" },
    ]) {
      const refused = await post<ErrorBody>({ token: adminToken.key, body });
      expect(refused.status, JSON.stringify(body)).toBe(400);
    }
    expect(await t.db.select().from(fxRates).where(eq(fxRates.currency, "NOK"))).toEqual([]);
  });

  it("answers a repeat with the same Idempotency-Key once, and refuses the key with another body", async () => {
    const body = intoUsd("DKK", "0.14", "2026-10-01");
    const headers = { "idempotency-key": "dkk-2026-10-01" };
    const first = await post({ token: adminToken.key, body, headers });
    const again = await post({ token: adminToken.key, body, headers });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    const other = await post<ErrorBody>({
      token: adminToken.key,
      body: { ...body, rate: "0.15" },
      headers,
    });
    expect(other.status).toBe(422);
    const audits = await t.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.targetId, "DKK/USD/2026-10-01"));
    expect(audits).toHaveLength(1);
  });

  it("needs a person with admin:settings: a finance user or a service key is refused", async () => {
    const body = intoUsd("PLN", "0.25", "2026-11-01");
    expect((await post<ErrorBody>({ token: financeToken, body })).status).toBe(403);
    expect((await post<ErrorBody>({ token: worker, body })).status).toBe(403);
    expect((await post<ErrorBody>({ token: null, body })).status).toBe(401);
  });

  it("answers 429 with Retry-After once the admin's write burst is spent", async () => {
    const spender = (await tokenFor(t.db, (await makeUser(t.db, "admin")).id)).key;
    const clock = vi.spyOn(Date, "now").mockReturnValue(Date.now());
    try {
      const statuses = new Set<number>();
      for (let i = 0; i < WRITE_RATE.burst; i++) {
        statuses.add((await post<ErrorBody>({ token: spender, body: {} })).status);
      }
      expect([...statuses]).toEqual([400]);
      const over = await post<ErrorBody>({ token: spender, body: {} });
      expect(over.status).toBe(429);
      expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(0);
    } finally {
      clock.mockRestore();
    }
  });
});

describe("GET /api/v1/fx-rates", () => {
  beforeAll(async () => {
    // Five rates of made-up pairs' days, and one event rate, for the pages and filters below.
    const at = new Date("2026-01-01T00:00:00Z");
    await t.db.insert(fxRates).values([
      {
        currency: "CHF",
        reportingCurrency: "EUR",
        effectiveDate: "2025-03-01",
        rate: "1.05",
        source: "admin",
        at,
      },
      {
        currency: "CHF",
        reportingCurrency: "EUR",
        effectiveDate: "2025-02-01",
        rate: "1.04",
        source: "event",
        at,
      },
      {
        currency: "CZK",
        reportingCurrency: "EUR",
        effectiveDate: "2025-03-01",
        rate: "0.04",
        source: "admin",
        at,
      },
      {
        currency: "HUF",
        reportingCurrency: "EUR",
        effectiveDate: "2025-03-01",
        rate: "0.0025",
        source: "admin",
        at,
      },
      {
        currency: "CHF",
        reportingCurrency: "EUR",
        effectiveDate: "2025-01-01",
        rate: "1.0300",
        source: "admin",
        at,
      },
    ]);
  });

  it("pages through the rates newest day first, by pair within a day, none repeated or lost", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `?reportingCurrency=EUR&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const page = await list(query);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((r) => `${r.currency} ${r.effectiveDate} ${r.rate}`));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([
      "CHF 2025-03-01 1.05",
      "CZK 2025-03-01 0.04",
      "HUF 2025-03-01 0.0025",
      "CHF 2025-02-01 1.04",
      "CHF 2025-01-01 1.0300",
    ]);
  });

  it("filters by currency and by an inclusive range of effective days", async () => {
    const chf = await list(
      "?currency=CHF&reportingCurrency=EUR&effectiveFrom=2025-01-15&effectiveTo=2025-03-01",
    );
    expect(chf.body.items.map((r) => [r.effectiveDate, r.source])).toEqual([
      ["2025-03-01", "admin"],
      ["2025-02-01", "event"],
    ]);
    expect(chf.body.nextCursor).toBeNull();
    const day = await list("?effectiveFrom=2025-02-01&effectiveTo=2025-02-01");
    expect(day.body.items.map((r) => r.currency)).toEqual(["CHF"]);
  });

  it("refuses a backwards range, a code that is not one and a cursor it never gave", async () => {
    for (const query of [
      "?effectiveFrom=2025-03-01&effectiveTo=2025-02-01",
      "?currency=chf",
      "?effectiveFrom=2025-02-30",
      "?limit=101",
      "?cursor=bm90LWEtY3Vyc29y",
    ]) {
      expect((await list<ErrorBody>(query)).status, query).toBe(400);
    }
  });

  it("is for readers of exceptions and read keys; an executive is refused", async () => {
    expect((await list("?limit=1", financeToken)).status).toBe(200);
    expect((await list("?limit=1", adminToken.key)).status).toBe(200);
    expect((await list<ErrorBody>("?limit=1", executiveToken)).status).toBe(403);
    expect((await list<ErrorBody>("?limit=1", worker)).status).toBe(403);
  });
});

async function reread(id: string) {
  const [row] = await t.db.select().from(exceptions).where(eq(exceptions.id, id));
  return row!;
}
