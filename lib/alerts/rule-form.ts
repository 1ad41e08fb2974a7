import { InvalidInput } from "@/lib/errors";
import { durationFromForm } from "@/lib/duration-input";
import { parseMoneyInput } from "@/lib/money-input";

/*
 * The rule editor's condition choices and how its fields become the API's condition, so the
 * page and POST /api/v1/alert-rules are validated by one contract (AlertRuleInput). Client
 * components import this file: plain data and functions only.
 */

export const CONDITION_CHOICES = [
  "kpi",
  "kpi_change",
  "exceptions_open",
  "exceptions_new",
  "exceptions_sla",
  "exceptions_amount",
  "close",
  "silence",
] as const;
export type ConditionChoice = (typeof CONDITION_CHOICES)[number];

export const CONDITION_CHOICE_LABELS: Record<ConditionChoice, string> = {
  kpi: "KPI against a value",
  kpi_change: "KPI change against the previous window",
  exceptions_open: "Open exceptions of a type reach a count",
  exceptions_new: "A new exception at or above a severity",
  exceptions_sla: "Exceptions past their SLA",
  exceptions_amount: "Open exceptions' amount at risk goes above an amount",
  close: "A month is NO-GO near its close deadline",
  silence: "A source goes silent",
};

const number = (text: string) => (text.trim() === "" ? Number.NaN : Number(text));
const orNull = (text: string) => (text.trim() === "" ? null : text.trim());

/**
 * The amount a person typed in major units of the reporting currency ("50,000.00"), in its
 * minor units: by string arithmetic, never through a float; an amount with more decimals than
 * the currency has is refused, not rounded.
 */
function minorUnitsField(label: string, text: string, currency: string): number {
  try {
    return parseMoneyInput(text, currency);
  } catch (error) {
    if (error instanceof InvalidInput) {
      throw new InvalidInput(`${label}: ${error.message.replace(/^amount: /, "")}`);
    }
    throw error;
  }
}

/**
 * The condition the form's fields describe; the contract then says whether it is valid. An
 * amount is typed in `reportingCurrency` (the admin setting the amounts at risk are summed in).
 */
export function conditionFromForm(
  get: (name: string) => string,
  reportingCurrency: string,
): Record<string, unknown> {
  const choice = get("conditionKind") as ConditionChoice;
  switch (choice) {
    case "kpi_change":
      return {
        kind: "kpi_change",
        metric: get("metric"),
        unit: get("unit"),
        op: get("op"),
        value: number(get("value")),
        window: durationFromForm(get, "window"),
      };
    case "exceptions_open":
      return {
        kind: "exceptions",
        trigger: "open_count",
        type: get("exceptionType"),
        atLeast: number(get("atLeast")),
      };
    case "exceptions_new":
      return {
        kind: "exceptions",
        trigger: "new",
        type: orNull(get("exceptionType")),
        severity: get("exceptionSeverity"),
      };
    case "exceptions_sla":
      return {
        kind: "exceptions",
        trigger: "sla_breach",
        type: orNull(get("exceptionType")),
        atLeast: number(get("atLeast")),
      };
    case "exceptions_amount":
      return {
        kind: "exceptions",
        trigger: "amount_at_risk",
        type: orNull(get("exceptionType")),
        aboveMinor: minorUnitsField("Amount at risk above", get("aboveAmount"), reportingCurrency),
      };
    case "close":
      return { kind: "close", withinDays: number(get("withinDays")) };
    case "silence":
      return {
        kind: "silence",
        source: orNull(get("source")),
        type: orNull(get("eventType")),
        after: durationFromForm(get, "after") || "learned",
      };
    default:
      return {
        kind: "kpi",
        metric: get("metric"),
        op: get("op"),
        value: number(get("value")),
        window: durationFromForm(get, "window"),
      };
  }
}
