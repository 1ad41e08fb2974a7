import { describe, expect, it } from "vitest";
import { CONDITION_CHOICES, conditionFromForm } from "@/lib/alerts/rule-form";
import { durationFromForm } from "@/lib/duration-input";
import { AlertCondition } from "@/lib/contract/alert-rules";
import { InvalidInput } from "@/lib/errors";

/* The rule editor's fields become conditions the contract accepts, one per choice. */

const FIELDS: Record<string, string> = {
  metric: "erpPosting.firstPassSuccessRate",
  unit: "points",
  op: "<",
  value: "-0.05",
  windowCount: "1",
  windowUnit: "days",
  exceptionType: "",
  exceptionSeverity: "critical",
  atLeast: "3",
  withinDays: "2",
  source: "",
  eventType: "",
  afterCount: "",
  afterUnit: "hours",
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

  it("turns a number and a unit into the ISO 8601 duration the API keeps", () => {
    expect(formFor("kpi", { windowCount: "10", windowUnit: "minutes" })).toMatchObject({
      window: "PT10M",
    });
    expect(formFor("kpi_change", { windowCount: "6", windowUnit: "hours" })).toMatchObject({
      window: "PT6H",
    });
    expect(formFor("silence", { afterCount: "90", afterUnit: "minutes" })).toMatchObject({
      after: "PT90M",
    });
    // No number is the field's default: a silence rule then learns the source's cadence.
    expect(formFor("silence", { afterCount: " " })).toMatchObject({ after: "learned" });
    const get = (fields: Record<string, string>) => (name: string) => fields[name] ?? "";
    expect(durationFromForm(get({ forCount: "0", forUnit: "minutes" }), "for")).toBe("PT0M");
    expect(durationFromForm(get({ forCount: "007", forUnit: "days" }), "for")).toBe("P7D");
    expect(durationFromForm(get({ repeatUnit: "hours" }), "repeat")).toBe("");
  });

  it("refuses a duration that is not a whole number of minutes, hours or days", () => {
    for (const [windowCount, windowUnit] of [
      ["1.5", "hours"],
      ["-1", "days"],
      ["PT1H", "hours"],
      ["1", "seconds"],
    ]) {
      expect(() => formFor("kpi", { windowCount: windowCount!, windowUnit: windowUnit! })).toThrow(
        "A duration is a whole number of minutes, hours or days",
      );
    }
    // A whole number the contract refuses where it is used: a window of no time at all.
    expect(
      AlertCondition.safeParse(formFor("kpi", { windowCount: "0", windowUnit: "minutes" })).success,
    ).toBe(false);
  });
});
