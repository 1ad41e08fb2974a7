import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { exceptions, fxRates } from "@/db/schema";
import { loadMoneyAtStake } from "@/lib/money/at-stake";
import { testDbForSuite } from "../support/db";
import { seedException } from "../exceptions/support";

/*
 * Money at stake by type and entity, worked by hand: open exceptions only, each amount's size
 * converted at its rate, and what cannot be summed (unknown, no rate) counted beside the sum.
 */

const t = testDbForSuite();
const suffix = randomUUID().slice(0, 6);
const US = `US-${suffix}`;
const DE = `DE-${suffix}`;
const OPENED = new Date("2026-11-10T12:00:00Z");

beforeAll(async () => {
  await t.db.insert(fxRates).values({
    currency: "EUR",
    reportingCurrency: "USD",
    effectiveDate: "2026-11-01",
    rate: "1.2",
    source: "admin",
    at: OPENED,
  });
  const seed = (s: Parameters<typeof seedException>[1]) =>
    seedException(t.db, { openedAt: OPENED, ...s });
  // Breaks in DE: 100.00 EUR → 120.00 USD, −50.00 EUR (its size) → 60.00 USD, one with no rate
  // (GBP), one unknown, one resolved (not at stake).
  await seed({ type: "reconciliation_break", entity: DE, amountMinor: 10_000, currency: "EUR" });
  await seed({ type: "reconciliation_break", entity: DE, amountMinor: -5_000, currency: "EUR" });
  await seed({ type: "reconciliation_break", entity: DE, amountMinor: 7_000, currency: "GBP" });
  await seed({ type: "reconciliation_break", entity: DE, amountMinor: null, currency: null });
  await seed({
    type: "reconciliation_break",
    entity: DE,
    amountMinor: 1_000_000,
    currency: "EUR",
    status: "resolved",
  });
  // A break and a failed posting in the US, in dollars.
  await seed({ type: "reconciliation_break", entity: US, amountMinor: 2_500, currency: "USD" });
  await seed({ type: "erp_posting_failed", entity: US, amountMinor: 125_000, currency: "USD" });
});

describe("money at stake", () => {
  it("sums by type and entity in the reporting currency, counting what it cannot sum", async () => {
    const stake = await loadMoneyAtStake(t.db, {});
    expect(stake.reportingCurrency).toBe("USD");
    const breaks = stake.rows.find((r) => r.type === "reconciliation_break")!;
    expect(breaks.cells[DE]).toEqual({
      open: 4,
      convertedMinor: "18000",
      withoutRate: 1,
      unknown: 1,
    });
    expect(breaks.cells[US]).toEqual({
      open: 1,
      convertedMinor: "2500",
      withoutRate: 0,
      unknown: 0,
    });
    const postings = stake.rows.find((r) => r.type === "erp_posting_failed")!;
    expect(postings.cells[US]?.convertedMinor).toBe("125000");
    expect(postings.cells[DE]).toBeUndefined();
    expect(stake.totals[US]).toEqual({
      open: 2,
      convertedMinor: "127500",
      withoutRate: 0,
      unknown: 0,
    });
    // Types in the vocabulary's order: failed postings before breaks.
    const types = stake.rows.map((r) => r.type);
    expect(types.indexOf("erp_posting_failed")).toBeLessThan(types.indexOf("reconciliation_break"));
  });

  it("keeps to the shell's entity filter", async () => {
    const stake = await loadMoneyAtStake(t.db, { entity: US });
    expect(stake.entities).toEqual([US]);
    expect(stake.total).toEqual({ open: 2, convertedMinor: "127500", withoutRate: 0, unknown: 0 });
  });

  it("sums every open exception, far more than any page or list cap holds", async () => {
    // 1,200 open exceptions of one entity, more than the queue's largest page (100), the API's
    // (100) and an incident's member list (500): 1,000 breaks of 12.34 EUR, each 14.808 →
    // 14.81 USD at 1.2, so 14,810.00 USD; 150 failed postings of 5.00 GBP, no GBP rate; 50
    // with no amount; and 300 resolved ones of 1,000.00 EUR that are not at stake.
    const entity = `BULK-${suffix}`;
    const row = (i: number, seed: Partial<typeof exceptions.$inferInsert>) => ({
      type: "reconciliation_break" as const,
      problemKey: `bulk-${suffix}-${i}`,
      title: `Bulk ${i}`,
      entity,
      status: "open" as const,
      openedAt: OPENED,
      ...seed,
    });
    const rows = [
      ...Array.from({ length: 1_000 }, (_, i) => row(i, { amountMinor: 1_234, currency: "EUR" })),
      ...Array.from({ length: 150 }, (_, i) =>
        row(1_000 + i, { type: "erp_posting_failed", amountMinor: 500, currency: "GBP" }),
      ),
      ...Array.from({ length: 50 }, (_, i) =>
        row(1_150 + i, { amountMinor: null, currency: null }),
      ),
      ...Array.from({ length: 300 }, (_, i) =>
        row(1_200 + i, { amountMinor: 100_000, currency: "EUR", status: "resolved" }),
      ),
    ];
    await t.db.insert(exceptions).values(rows);

    const stake = await loadMoneyAtStake(t.db, { entity });
    expect(stake.rows.find((r) => r.type === "reconciliation_break")!.cells[entity]).toEqual({
      open: 1_050,
      convertedMinor: "1481000",
      withoutRate: 0,
      unknown: 50,
    });
    expect(stake.rows.find((r) => r.type === "erp_posting_failed")!.cells[entity]).toEqual({
      open: 150,
      convertedMinor: "0",
      withoutRate: 150,
      unknown: 0,
    });
    expect(stake.total).toEqual({
      open: 1_200,
      convertedMinor: "1481000",
      withoutRate: 150,
      unknown: 50,
    });
  });
});
