import { describe, expect, it } from "vitest";
import { CONDITION_CHOICES, conditionFromForm } from "@/lib/alerts/rule-form";
import { AlertCondition } from "@/lib/contract/alert-rules";

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
};

const formFor = (choice: string, extra: Record<string, string> = {}) =>
  conditionFromForm((name) => ({ ...FIELDS, conditionKind: choice, ...extra })[name] ?? "");

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

  it("leaves an empty number for the contract to refuse", () => {
    expect(AlertCondition.safeParse(formFor("close", { withinDays: "" })).success).toBe(false);
    expect(AlertCondition.safeParse(formFor("exceptions_open")).success).toBe(false);
  });
});
