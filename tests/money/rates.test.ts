import { beforeAll, describe, expect, it } from "vitest";
import { fxRates } from "@/db/schema";
import { inverseRateNote } from "@/lib/money/describe";
import {
  loadInverseRate,
  loadMissingRates,
  loadRateTable,
  rateTableQuery,
} from "@/lib/money/rates";
import { seedException } from "../exceptions/support";
import { testDbForSuite } from "../support/db";

/*
 * The settings page's rates: a keyset page with how many of how many, the URL's filters read
 * leniently (a tampered cursor starts over), and the pairs open exceptions wait on, with a
 * rate that exists only later or only the other way named beside them, never used.
 */

const t = testDbForSuite();
const at = new Date("2026-01-01T00:00:00Z");

beforeAll(async () => {
  await t.db.insert(fxRates).values([
    // The other way only: USD→GBP. GBP amounts stay unconverted.
    {
      currency: "USD",
      reportingCurrency: "GBP",
      effectiveDate: "2026-10-01",
      rate: "0.79",
      source: "admin",
      at,
    },
    {
      currency: "USD",
      reportingCurrency: "GBP",
      effectiveDate: "2026-11-01",
      rate: "0.8",
      source: "event",
      at,
    },
    // CAD→USD only from after the CAD exceptions opened.
    {
      currency: "CAD",
      reportingCurrency: "USD",
      effectiveDate: "2026-12-01",
      rate: "0.72",
      source: "admin",
      at,
    },
    // EUR→USD in effect: EUR amounts convert and are not missing.
    {
      currency: "EUR",
      reportingCurrency: "USD",
      effectiveDate: "2026-01-01",
      rate: "1.1",
      source: "admin",
      at,
    },
  ]);
  const seed = (currency: string | null, day: string, status: "open" | "resolved" = "open") =>
    seedException(t.db, {
      amountMinor: currency ? 1_000 : null,
      currency,
      status,
      openedAt: new Date(`${day}T09:00:00Z`),
    });
  await seed("GBP", "2026-11-10");
  await seed("GBP", "2026-11-03");
  await seed("GBP", "2026-10-20", "resolved");
  await seed("CAD", "2026-11-15");
  await seed("EUR", "2026-11-15");
  await seed(null, "2026-11-15");
});

describe("the rates open exceptions wait on", () => {
  it("names each pair with its count and first day, and an inverse or later rate, never used", async () => {
    expect(await loadMissingRates(t.db)).toEqual([
      {
        currency: "GBP",
        reportingCurrency: "USD",
        open: 2,
        firstDay: "2026-11-03",
        laterRateDate: null,
        inverse: { rate: "0.8", effectiveDate: "2026-11-01" },
      },
      {
        currency: "CAD",
        reportingCurrency: "USD",
        open: 1,
        firstDay: "2026-11-15",
        laterRateDate: "2026-12-01",
        inverse: null,
      },
    ]);
  });
});

describe("an exception's missing conversion", () => {
  it("names the latest rate the other way, for an admin to work from, and never uses it", async () => {
    const pounds = {
      amountAtRisk: { minor: 1_000, currency: "GBP" },
      amountAtRiskReporting: null,
      reportingCurrency: "USD",
    };
    const inverse = await loadInverseRate(t.db, pounds);
    expect(inverse).toEqual({ rate: "0.8", effectiveDate: "2026-11-01" });
    expect(inverseRateNote(pounds, inverse)).toBe(
      "an inverse rate exists (USD→GBP 0.8 from 2026-11-01), which is never inverted: an admin enters a GBP→USD rate",
    );
    const converted = {
      amountAtRisk: { minor: 1_000, currency: "EUR" },
      amountAtRiskReporting: { minor: 1_100, currency: "USD", rate: "1.1", rateDate: "2026-01-01" },
      reportingCurrency: "USD",
    };
    expect(await loadInverseRate(t.db, converted)).toBeNull();
    const dollars = { ...pounds, amountAtRisk: { minor: 1_000, currency: "CAD" } };
    expect(await loadInverseRate(t.db, dollars)).toBeNull();
    expect(inverseRateNote(dollars, null)).toBeNull();
  });
});

describe("the settings page's rate table", () => {
  it("says how many of how many it shows and pages on by the cursor", async () => {
    const first = await loadRateTable(t.db, {}, { limit: 3 });
    expect(first.total).toBe(4);
    expect(
      first.items.map((r) => `${r.currency}/${r.reportingCurrency} ${r.effectiveDate}`),
    ).toEqual(["CAD/USD 2026-12-01", "USD/GBP 2026-11-01", "USD/GBP 2026-10-01"]);
    const rest = await loadRateTable(t.db, {}, { limit: 3, cursor: first.nextCursor });
    expect(rest.items.map((r) => r.currency)).toEqual(["EUR"]);
    expect(rest.nextCursor).toBeNull();
    const filtered = await loadRateTable(t.db, { reportingCurrency: "GBP" }, { limit: 1 });
    expect(filtered.total).toBe(2);
    expect(filtered.items).toHaveLength(1);
  });

  it("reads the URL leniently: codes upper-cased, anything else ignored, a tampered cursor dropped", async () => {
    const first = await loadRateTable(t.db, {}, { limit: 1 });
    expect(rateTableQuery({ from: " usd ", into: "gbp", cursor: first.nextCursor })).toEqual({
      filter: { currency: "USD", reportingCurrency: "GBP" },
      cursor: first.nextCursor,
    });
    expect(rateTableQuery({ from: "dollars", into: "XXY", cursor: "bm9wZQ" })).toEqual({
      filter: { currency: null, reportingCurrency: null },
      cursor: null,
    });
  });
});
