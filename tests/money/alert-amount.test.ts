import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { alertRules, alerts, exceptions, fxRates } from "@/db/schema";
import { buildNotice, evaluateAlerts } from "@/lib/alerts/evaluate";
import { noticeSummary } from "@/lib/alerts/render";
import { AlertCondition } from "@/lib/contract/alert-rules";
import { testDbForSuite } from "../support/db";
import { seedException, unique } from "../exceptions/support";
import { alertStatesOf, alertingKit } from "../alerts/support";

/*
 * The exceptions rule "amount at risk above X": the open exceptions' amounts in the
 * reporting currency, summed per entity (for "*"), against X in its minor units. Unknown
 * amounts and amounts without a rate add nothing; a closed exception leaves the sum.
 */

const t = testDbForSuite();
const { conditionRule } = alertingKit(t);

describe("amount at risk above a threshold", () => {
  it("fires per entity whose open amount in the reporting currency is above it", async () => {
    await t.db.insert(fxRates).values({
      currency: "EUR",
      reportingCurrency: "USD",
      effectiveDate: "2026-11-01",
      rate: "1.5",
      source: "admin",
      at: new Date("2026-11-01T00:00:00Z"),
    });
    const big = unique("BIG");
    const small = unique("SMALL");
    const openedAt = new Date("2026-11-02T00:00:00Z");
    // BIG: 600.00 EUR → 900.00 USD, plus 200.00 USD: 1,100.00 > 1,000.00.
    await seedException(t.db, { entity: big, amountMinor: 60_000, currency: "EUR", openedAt });
    const usd = await seedException(t.db, {
      entity: big,
      amountMinor: 20_000,
      currency: "USD",
      openedAt,
    });
    // SMALL: 1,000.00 USD exactly (not above), an unknown amount and a GBP amount with no rate.
    await seedException(t.db, { entity: small, amountMinor: 100_000, currency: "USD", openedAt });
    await seedException(t.db, { entity: small, amountMinor: null, currency: null, openedAt });
    await seedException(t.db, { entity: small, amountMinor: 5_000_000, currency: "GBP", openedAt });

    const rule = await conditionRule(
      "Money at stake",
      { kind: "exceptions", trigger: "amount_at_risk", aboveMinor: 100_000 },
      "*",
    );
    await evaluateAlerts(t.db, new Date("2026-11-03T00:00:00Z"));
    const fired = (await alertStatesOf(t.db, rule.id)).filter(
      (a) => a.dimension === big || a.dimension === small,
    );
    expect(fired).toEqual([{ dimension: big, state: "firing", value: 110_000 }]);
    // What a channel's message says: money in the reporting currency, not a count of cents.
    const [bigAlert] = await t.db.select().from(alerts).where(eq(alerts.dimension, big));
    const [ruleRow] = await t.db.select().from(alertRules).where(eq(alertRules.id, rule.id));
    const notice = buildNotice("alert.firing", ruleRow!, bigAlert!, {
      baseUrl: "http://closeline.test",
      acknowledgedBy: null,
      reportingCurrency: "USD",
    });
    expect(notice.alert).toMatchObject({
      value: 110_000,
      valueText: "1,100.00 USD",
      thresholdText: "1,000.00 USD",
    });
    expect(noticeSummary(notice)).toContain("1,100.00 USD against a threshold of 1,000.00 USD");

    // Resolving the USD exception leaves 900.00: the alert resolves.
    await t.db
      .update(exceptions)
      .set({ status: "resolved", closedAt: new Date(), closedBy: "system" })
      .where(eq(exceptions.id, usd.id));
    await evaluateAlerts(t.db, new Date("2026-11-03T00:05:00Z"));
    expect((await alertStatesOf(t.db, rule.id)).find((a) => a.dimension === big)).toMatchObject({
      state: "resolved",
    });
  });

  it("takes a non-negative whole amount in minor units", () => {
    const parse = (aboveMinor: unknown) =>
      AlertCondition.safeParse({ kind: "exceptions", trigger: "amount_at_risk", aboveMinor });
    expect(parse(0).success).toBe(true);
    expect(parse(-1).success).toBe(false);
    expect(parse(10.5).success).toBe(false);
    expect(parse("100").success).toBe(false);
  });
});
