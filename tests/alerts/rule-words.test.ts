import { describe, expect, it } from "vitest";
import { describeCondition, heldFor } from "@/lib/alerts/rule-words";

/* The rules table's words for a rule: its figures read as in the notices, not as stored. */

describe("a rule's condition in words", () => {
  it("says thresholds in the rule's unit and windows as durations", () => {
    const kpi = {
      kind: "kpi",
      metric: "erpPosting.firstPassSuccessRate",
      op: "<",
      value: 0.9,
      window: "P1D",
    };
    expect(describeCondition(kpi, "*", "USD")).toBe(
      "ERP first-pass success < 90.0 % over the last 1 d per entity",
    );
    expect(
      describeCondition(
        { kind: "kpi", metric: "eventLag.p95Ms", op: ">", value: 60_000, window: "PT1H" },
        "EU",
        "USD",
      ),
    ).toBe("Event lag p95 > 1 min over the last 1 h for EU");
    expect(
      describeCondition(
        { ...kpi, kind: "kpi_change", unit: "percent", value: -20, window: "PT6H" },
        null,
        "USD",
      ),
    ).toBe("ERP first-pass success change < −20 % vs the previous 6 h");
  });

  it("says money in the reporting currency, counts grouped, and close days as days", () => {
    expect(
      describeCondition(
        { kind: "exceptions", trigger: "amount_at_risk", type: null, aboveMinor: 500_000 },
        "*",
        "EUR",
      ),
    ).toBe("amount at risk of open exceptions > 5,000.00 EUR per entity");
    expect(
      describeCondition(
        { kind: "exceptions", type: "reconciliation_break", atLeast: 1200 },
        null,
        "USD",
      ),
    ).toBe("open Reconciliation break ≥ 1,200");
    expect(describeCondition({ kind: "close", withinDays: 1 }, "*", "USD")).toBe(
      "NO-GO within 1 day of the close deadline per entity",
    );
  });

  it("says how long a source may stay quiet, learned or fixed", () => {
    expect(describeCondition({ kind: "silence", after: "learned" }, null, "USD")).toBe(
      "any source / any type quiet for longer than its usual cadence allows",
    );
    expect(
      describeCondition({ kind: "silence", source: "/erp", after: "PT90M" }, null, "USD"),
    ).toBe("/erp / any type quiet for more than 1 h 30 min");
  });

  it("names the kind of a condition it cannot read, and says how long a rule must hold", () => {
    expect(describeCondition({ kind: "retired_kind", x: 1 }, null, "USD")).toBe("retired_kind");
    expect(heldFor("PT0S")).toBe("at once");
    expect(heldFor("PT10M")).toBe("10 min");
  });
});
