import { describe, expect, it } from "vitest";
import { fxRates } from "@/db/schema";
import { SYSTEM_ACTOR } from "@/lib/audit";
import { setMateriality } from "@/lib/close/materiality";
import { computeCloseReadiness } from "@/lib/close/readiness";
import { testDbForSuite } from "../support/db";
import {
  OCT,
  PERIOD,
  dispute,
  ingest,
  invoice,
  reconciliation,
  uniqueEntity,
} from "../close/support";

/*
 * Close-readiness materiality set in the reporting currency (USD): a currency without a
 * threshold of its own follows it, converted at the rate in effect on the period's last day
 * (breaks) or the invoice's issue day (disputes). Thresholds worked by hand: 1,000.00 USD at
 * EUR 1.1 is 909.09 EUR (909.09 × 1.1 = 999.999 → 1,000.00; 909.10 → 1,000.01), at JPY 0.0067
 * is ¥149,254 (→ 999.9998 → 1,000.00; ¥149,255 → 1,000.01). No rate: 0, so it counts.
 */

const t = testDbForSuite();

const readinessCheck = async (entity: string, key: string) =>
  (await computeCloseReadiness(t.db, { entity, period: PERIOD })).checks.find(
    (c) => c.key === key,
  )!;

async function reportingThreshold(entity: string) {
  await setMateriality(
    t.db,
    { entity, currency: "USD", thresholdMinor: 100_000 },
    { userId: null, actor: SYSTEM_ACTOR },
  );
}

describe("materiality in the reporting currency", () => {
  it("applies to breaks in other currencies at the period-end rate, never guessing one", async () => {
    await t.db.insert(fxRates).values(
      [
        ["EUR", "1.1"],
        ["JPY", "0.0067"],
      ].map(([currency, rate]) => ({
        currency: currency!,
        reportingCurrency: "USD",
        effectiveDate: "2026-10-01",
        rate: rate!,
        source: "admin" as const,
        at: new Date(OCT(1)),
      })),
    );
    const entity = uniqueEntity("fx-mat");
    await reportingThreshold(entity);
    const eur = (key: string, variance: number) =>
      reconciliation(entity, {
        key,
        currency: "EUR",
        expected: 1_000_000,
        actual: 1_000_000 - variance,
      });
    await ingest(
      t.db,
      eur("eur-at", 90_909),
      eur("eur-over", 90_910),
      reconciliation(entity, { key: "jpy-at", currency: "JPY", expected: 0, actual: 149_254 }),
      reconciliation(entity, { key: "jpy-over", currency: "JPY", expected: 0, actual: 149_255 }),
      // No GBP rate: 0.01 GBP is material.
      reconciliation(entity, { key: "gbp", currency: "GBP", expected: 100, actual: 101 }),
    );
    const rec = await readinessCheck(entity, "no_material_reconciliation_breaks");
    expect(rec.blockers.map((b) => b.ref.split(" / ")[1]).sort()).toEqual([
      "eur-over",
      "gbp",
      "jpy-over",
    ]);
    const eurOver = rec.blockers.find((b) => b.ref.endsWith("eur-over"))!;
    expect(eurOver.detail).toContain("materiality 909.09 EUR");
    expect(rec.explanation).toContain("2 breaks at or below materiality");
  });

  it("a threshold in the break's own currency wins over the reporting one", async () => {
    const entity = uniqueEntity("fx-own");
    await reportingThreshold(entity);
    await setMateriality(
      t.db,
      { entity, currency: "EUR", thresholdMinor: 0 },
      { userId: null, actor: SYSTEM_ACTOR },
    );
    await ingest(
      t.db,
      reconciliation(entity, { key: "eur", currency: "EUR", expected: 1_000, actual: 1_001 }),
    );
    const rec = await readinessCheck(entity, "no_material_reconciliation_breaks");
    expect(rec.blockers.map((b) => b.ref.split(" / ")[1])).toEqual(["eur"]);
  });

  it("applies to disputes at the rate of the invoice's issue day", async () => {
    const entity = uniqueEntity("fx-disp");
    await reportingThreshold(entity);
    const eurInvoice = (invoiceId: string) =>
      invoice(entity, { invoiceId, issuedAt: OCT(3), amountMinor: 500_000, currency: "EUR" });
    await ingest(
      t.db,
      eurInvoice(`${entity}-at`),
      dispute({ invoiceId: `${entity}-at`, amountMinor: 90_909 }),
      eurInvoice(`${entity}-over`),
      dispute({ invoiceId: `${entity}-over`, amountMinor: 90_910 }),
    );
    const disputes = await readinessCheck(entity, "no_material_open_disputes");
    expect(disputes.blockers.map((b) => b.ref)).toEqual([`${entity}-over`]);
  });
});
