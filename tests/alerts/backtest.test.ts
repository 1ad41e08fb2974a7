import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { exceptions, type ExceptionType } from "@/db/schema";
import { backtestRule, countFirings } from "@/lib/alerts/backtest";
import { InvalidInput } from "@/lib/errors";
import { testDbForSuite } from "../support/db";
import { ingest } from "../kpi/support";
import { FIRST_PASS_BELOW_90, postings } from "./support";

/*
 * The backtest: how often a rule as written would have fired over the last 30 days, read
 * every hour (exceptions, from their opening and closing times) or every 6 hours (KPIs).
 * The expectations are counted by hand from the rows each test writes.
 */

const t = testDbForSuite();
const at = (iso: string) => new Date(iso);
const NOW = at("2025-07-31T00:00:00Z");

/** An exception open from `openedAt` until `closedAt` (null: still open), of an amount in USD. */
async function opened(
  type: ExceptionType,
  entity: string,
  openedAt: string,
  closedAt: string | null,
  amountMinor: number | null = null,
) {
  await t.db.insert(exceptions).values({
    type,
    problemKey: randomUUID(),
    status: closedAt ? "resolved" : "open",
    title: type,
    entity,
    openedAt: at(openedAt),
    closedAt: closedAt ? at(closedAt) : null,
    ...(amountMinor === null ? {} : { amountMinor, currency: "USD" }),
  });
}

const disputed = (entity: string, openedAt: string, closedAt: string | null) =>
  opened("invoice_disputed", entity, openedAt, closedAt);

const rule = (extra: Record<string, unknown>) => ({
  name: "Backtest",
  severity: "warning",
  condition: { kind: "exceptions", type: "invoice_disputed", atLeast: 2 },
  entity: null,
  for: "PT0S",
  ...extra,
});

describe("backtest", () => {
  it("replays pending, firing and resolved over readings", () => {
    const HOUR = 3_600_000;
    const r = (iso: string, ...b: (boolean | null)[]) => ({
      at: at(iso),
      measured: b.map((breaching, i) => ({ dimension: `d${i}`, breaching })),
    });
    const readings = [
      r("2025-01-01T00:00:00Z", true, true),
      r("2025-01-01T01:00:00Z", null, false),
      r("2025-01-01T02:00:00Z", true, true),
      r("2025-01-01T03:00:00Z", false, true),
      r("2025-01-01T04:00:00Z", true, true),
    ];
    // With no `for`: d0 fires at 00:00, stays firing through the null and 02:00, resolves
    // at 03:00 and fires again at 04:00; d1 fires at 00:00, resolves at 01:00 and fires at
    // 02:00, staying so. Breaching readings: d0 three, d1 four.
    expect(countFirings(readings, 0, HOUR)).toEqual({
      firings: 4,
      breachingReadings: 7,
      firstFiringAt: at("2025-01-01T00:00:00Z"),
      lastFiringAt: at("2025-01-01T04:00:00Z"),
    });
    // `for` two hours: d0's runs are broken (a null drops a pending breach); d1 holds from
    // 02:00 and fires at 04:00.
    expect(countFirings(readings, 2 * HOUR, HOUR)).toMatchObject({
      firings: 1,
      firstFiringAt: at("2025-01-01T04:00:00Z"),
    });
  });

  it("counts the firings of an exceptions rule from the exceptions' history", async () => {
    // Open at 01:00–05:00 and 03:00 on 10 July: two open only at 03:00.
    await disputed("EU", "2025-07-10T00:30:00Z", "2025-07-10T05:30:00Z");
    await disputed("EU", "2025-07-10T02:30:00Z", "2025-07-10T03:30:00Z");
    // Two open from 20 July 00:00 on, one in each entity.
    await disputed("EU", "2025-07-20T00:00:00Z", null);
    await disputed("US", "2025-07-20T00:00:00Z", null);

    const company = await backtestRule(t.db, rule({}), NOW);
    expect(company).toMatchObject({
      from: at("2025-07-01T00:00:00Z"),
      to: NOW,
      step: "PT1H",
      readings: 720,
      firings: 2,
      // 10 July 03:00, and 20 July 00:00 to 31 July 00:00: 11 × 24 + 1 readings.
      breachingReadings: 1 + 265,
      firstFiringAt: at("2025-07-10T03:00:00Z"),
      lastFiringAt: at("2025-07-20T00:00:00Z"),
    });

    // Held for two hours: the one-hour breach on 10 July would never have fired.
    expect(await backtestRule(t.db, rule({ for: "PT2H" }), NOW)).toMatchObject({
      firings: 1,
      firstFiringAt: at("2025-07-20T02:00:00Z"),
    });

    // Per entity: only EU ever had two open at once.
    expect(await backtestRule(t.db, rule({ entity: "*" }), NOW)).toMatchObject({
      firings: 1,
      dimensions: ["EU", "US"],
      firstFiringAt: at("2025-07-10T03:00:00Z"),
    });
  });

  it("counts the firings of an amount-at-risk rule from the exceptions' history", async () => {
    // Reporting currency USD (the default): each amount is its own reporting amount.
    const failed = (
      entity: string,
      openedAt: string,
      closedAt: string | null,
      amountMinor: number | null,
    ) => opened("erp_posting_failed", entity, openedAt, closedAt, amountMinor);
    // EU: 600.00 open 00:30–05:30 on 5 July, 500.00 more 02:30–03:30: 1,100.00 only at 03:00.
    await failed("EU", "2025-07-05T00:30:00Z", "2025-07-05T05:30:00Z", 60_000);
    await failed("EU", "2025-07-05T02:30:00Z", "2025-07-05T03:30:00Z", 50_000);
    // US: 2,000.00 open from 25 July on, beside one whose amount is unknown (adds nothing).
    await failed("US", "2025-07-25T00:00:00Z", null, 200_000);
    await failed("US", "2025-07-25T00:00:00Z", null, null);

    const amountRule = (aboveMinor: number, extra: Record<string, unknown> = {}) =>
      rule({
        condition: {
          kind: "exceptions",
          trigger: "amount_at_risk",
          type: "erp_posting_failed",
          aboveMinor,
        },
        ...extra,
      });
    // Above 1,000.00: 5 July 03:00, and 25 July 00:00 to 31 July 00:00 (6 × 24 + 1 readings).
    expect(await backtestRule(t.db, amountRule(100_000), NOW)).toMatchObject({
      step: "PT1H",
      readings: 720,
      firings: 2,
      breachingReadings: 1 + 145,
      firstFiringAt: at("2025-07-05T03:00:00Z"),
      lastFiringAt: at("2025-07-25T00:00:00Z"),
    });
    // Per entity, each fires once; EU alone, once on 5 July.
    expect(await backtestRule(t.db, amountRule(100_000, { entity: "*" }), NOW)).toMatchObject({
      firings: 2,
      dimensions: ["EU", "US"],
    });
    expect(await backtestRule(t.db, amountRule(100_000, { entity: "EU" }), NOW)).toMatchObject({
      firings: 1,
      lastFiringAt: at("2025-07-05T03:00:00Z"),
    });
    // Above is strictly above: 2,000.00 is not above 2,000.00, and 1,100.00 never was.
    expect(await backtestRule(t.db, amountRule(200_000), NOW)).toMatchObject({ firings: 0 });
  });

  it("reads an entity whose exceptions all closed as mended, so it can fire again", async () => {
    const broke = (openedAt: string, closedAt: string | null) =>
      opened("reconciliation_break", "GB", openedAt, closedAt);
    await broke("2025-07-10T00:30:00Z", "2025-07-10T02:30:00Z");
    await broke("2025-07-12T00:30:00Z", null);
    const perEntity = rule({
      condition: { kind: "exceptions", type: "reconciliation_break", atLeast: 1 },
      entity: "*",
    });
    // GB has no open break from 10 July 03:00: zero, not "no data", so 12 July fires anew.
    expect(await backtestRule(t.db, perEntity, NOW)).toMatchObject({
      firings: 2,
      dimensions: ["GB"],
      firstFiringAt: at("2025-07-10T01:00:00Z"),
      lastFiringAt: at("2025-07-12T01:00:00Z"),
    });
  });

  it("reads a KPI rule every 6 hours over its window", async () => {
    await ingest(
      t.db,
      postings(3, "failed", at("2025-07-15T10:00:00Z")),
      postings(1, "succeeded", at("2025-07-15T10:00:00Z")),
    );
    const result = await backtestRule(
      t.db,
      rule({ condition: { ...FIRST_PASS_BELOW_90, window: "PT6H" } }),
      NOW,
    );
    // Only the reading at 12:00 sees the postings of 10:00 in its six hours; the others have
    // nothing to measure.
    expect(result).toMatchObject({
      step: "PT6H",
      readings: 120,
      firings: 1,
      breachingReadings: 1,
      firstFiringAt: at("2025-07-15T12:00:00Z"),
    });
  });

  it("refuses a rule it cannot backtest or that is invalid", async () => {
    await expect(
      backtestRule(t.db, rule({ condition: { kind: "silence", source: "stripe" } }), NOW),
    ).rejects.toThrow(InvalidInput);
    await expect(backtestRule(t.db, rule({ for: "soon" }), NOW)).rejects.toThrow(InvalidInput);
  });
});
