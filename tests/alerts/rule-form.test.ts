import { describe, expect, it } from "vitest";
import { CONDITION_CHOICES, conditionFromForm } from "@/lib/alerts/rule-form";
import { AlertCondition } from "@/lib/contract/alert-rules";
import { InvalidInput } from "@/lib/errors";

/* The rule editor's fields become conditions the contract accepts, one per choice. */

const FIELDS: Record<string, string> = {
  metric: "erpPosting.firstPassSuccessRate",
  unit: "points",
  op: "<",
  value: "-0.05",
  window: "P1D",
  exceptionType: "",
  exceptionSeverity: "critical",
  atLeast: "3",
  withinDays: "2",
  source: "",
  eventType: "",
  after: "",
  aboveAmount: "50,000.00",
};

const formFor = (choice: string, extra: Record<string, string> = {}, currency = "USD") =>
  conditionFromForm(
    (name) => ({ ...FIELDS, conditionKind: choice, ...extra })[name] ?? "",
    currency,
  );

describe("the rule editor's conditions", () => {
  it("turns every choice into a valid condition", () => {
    for (const choice of CONDITION_CHOICES) {
      const extra: Record<string, string> =
        choice === "exceptions_open" ? { exceptionType: "invoice_disputed" } : {};
      const parsed = AlertCondition.safeParse(formFor(choice, extra));
      expect(parsed.success, choice).toBe(true);
    }
    expect(formFor("kpi_change")).toEqual({
      kind: "kpi_change",
      metric: "erpPosting.firstPassSuccessRate",
      unit: "points",
      op: "<",
      value: -0.05,
      window: "P1D",
    });
    // "any type" is the empty option: null in the contract.
    expect(formFor("exceptions_new")).toEqual({
      kind: "exceptions",
      trigger: "new",
      type: null,
      severity: "critical",
    });
    expect(formFor("silence")).toMatchObject({ source: null, type: null, after: "learned" });
  });

  it("reads an amount at risk in the reporting currency's minor units, without floats", () => {
    expect(formFor("exceptions_amount")).toEqual({
      kind: "exceptions",
      trigger: "amount_at_risk",
      type: null,
      aboveMinor: 5_000_000,
    });
    expect(formFor("exceptions_amount", { exceptionType: "invoice_disputed" })).toMatchObject({
      type: "invoice_disputed",
    });
    // 0.1 + 0.2 is not 0.3 in binary fractions; in minor units it is 30.
    expect(formFor("exceptions_amount", { aboveAmount: "0.30" })).toMatchObject({
      aboveMinor: 30,
    });
    expect(formFor("exceptions_amount", { aboveAmount: "1 250.5" })).toMatchObject({
      aboveMinor: 125_050,
    });
    // The currency's own decimals: none for JPY, three for BHD.
    expect(formFor("exceptions_amount", { aboveAmount: "50,000" }, "JPY")).toMatchObject({
      aboveMinor: 50_000,
    });
    expect(formFor("exceptions_amount", { aboveAmount: "1.250" }, "BHD")).toMatchObject({
      aboveMinor: 1_250,
    });
    expect(AlertCondition.safeParse(formFor("exceptions_amount")).success).toBe(true);
  });

  it("refuses an amount that is empty, negative, not a number or too precise, naming the field", () => {
    for (const aboveAmount of ["", "-5", "lots", "1e6", "10.005"]) {
      expect(() => formFor("exceptions_amount", { aboveAmount }), aboveAmount).toThrow(
        InvalidInput,
      );
    }
    expect(() => formFor("exceptions_amount", { aboveAmount: "10.5" }, "JPY")).toThrow(
      "Amount at risk above: JPY has 0 decimals",
    );
    expect(() => formFor("exceptions_amount", { aboveAmount: "" })).toThrow(
      /^Amount at risk above: enter a positive number/,
    );
  });

  it("leaves an empty number for the contract to refuse", () => {
    expect(AlertCondition.safeParse(formFor("close", { withinDays: "" })).success).toBe(false);
    expect(AlertCondition.safeParse(formFor("exceptions_open")).success).toBe(false);
  });
});
