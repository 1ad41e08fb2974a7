import { describe, expect, it } from "vitest";
import { figureFormat, kpiMetricUnit } from "@/lib/alerts/figure";
import { AlertCondition } from "@/lib/contract/alert-rules";

const say = (condition: unknown, value: number | null, currency = "USD") =>
  figureFormat(AlertCondition.parse(condition), currency)(value);

describe("an alert's figures in its rule's unit", () => {
  it("reads KPI figures by their unit: shares as percent, milliseconds as durations, counts grouped", () => {
    const kpi = (metric: string) => ({ kind: "kpi", metric, op: "<", value: 0, window: "P1D" });
    expect(say(kpi("erpPosting.firstPassSuccessRate"), 0.8712)).toBe("87.1 %");
    expect(say(kpi("usageCompleteness.ratio"), 1)).toBe("100.0 %");
    expect(say(kpi("paymentToEntitlement.p95Ms"), 250_000)).toBe("4 min 10 s");
    expect(say(kpi("eventLag.p50Ms"), 850)).toBe("850 ms");
    expect(say(kpi("usageCompleteness.missing"), 12_345)).toBe("12,345");
    expect(say(kpi("erpPosting.firstPassSuccessRate"), null)).toBe("no data");
  });

  it("names every KPI metric's unit from its path", () => {
    expect(kpiMetricUnit("reconciliation.breakRate")).toBe("share");
    expect(kpiMetricUnit("invoiceLatency.p95Ms")).toBe("duration");
    expect(kpiMetricUnit("manualInterventions")).toBe("count");
  });

  it("reads a change in percent, or in points of the figure's own unit", () => {
    const change = (metric: string, unit: string) => ({
      kind: "kpi_change",
      metric,
      unit,
      op: "<",
      value: -5,
      window: "P1D",
    });
    expect(say(change("reconciliation.breaks", "percent"), -20)).toBe("−20 %");
    expect(say(change("reconciliation.breaks", "percent"), 12.5)).toBe("+12.5 %");
    expect(say(change("erpPosting.firstPassSuccessRate", "points"), -0.05)).toBe("−5.0 pp");
    expect(say(change("eventLag.p95Ms", "points"), 90_000)).toBe("+1 min 30 s");
    expect(say(change("reconciliation.breaks", "points"), -3)).toBe("−3");
  });

  it("reads an amount at risk as money in the reporting currency, in that currency's digits", () => {
    const amount = { kind: "exceptions", trigger: "amount_at_risk", aboveMinor: 5_000_000 };
    expect(say(amount, 5_000_000)).toBe("50,000.00 USD");
    expect(say(amount, 5_000_000, "JPY")).toBe("5,000,000 JPY");
    expect(say(amount, 1_234_567, "BHD")).toBe("1,234.567 BHD");
  });

  it("reads silence as time, exception counts as counts and close as days", () => {
    expect(say({ kind: "silence", after: "PT1H" }, 5_400_000)).toBe("1 h 30 min");
    expect(say({ kind: "exceptions", type: "erp_posting_failed", atLeast: 5 }, 7)).toBe("7");
    expect(say({ kind: "close", withinDays: 3 }, 1)).toBe("1 day");
    expect(say({ kind: "close", withinDays: 3 }, 3)).toBe("3 days");
  });

  it("says a learned silence rule's threshold is the whole lookback when the source is quiet past it", () => {
    const format = figureFormat(AlertCondition.parse({ kind: "silence", after: "learned" }), "USD");
    const lookbackMs = 35 * 86_400_000;
    expect(format(lookbackMs, "threshold")).toBe("the whole 35-day lookback");
    expect(format(41 * 86_400_000)).toBe("41 d");
    // A learned allowance, and a fixed threshold of the same length, stay durations.
    expect(format(3 * 3_600_000, "threshold")).toBe("3 h");
    const fixed = figureFormat(AlertCondition.parse({ kind: "silence", after: "P35D" }), "USD");
    expect(fixed(lookbackMs, "threshold")).toBe("35 d");
  });

  it("keeps bare numbers when the rule is unknown", () => {
    expect(figureFormat(null, "USD")(0.87123)).toBe("0.8712");
    expect(figureFormat(null, "USD")(42)).toBe("42");
  });
});
